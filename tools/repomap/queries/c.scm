; C: functions (definitions and prototypes), structs, unions, enums, typedefs, function-like macros; calls.
(function_definition declarator: (function_declarator declarator: (identifier) @name.definition.function)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))) @definition.function
(declaration declarator: (function_declarator declarator: (identifier) @name.definition.declaration)) @definition.declaration
(struct_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class
(union_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class
(enum_specifier name: (type_identifier) @name.definition.enum body: (_)) @definition.enum
(type_definition declarator: (type_identifier) @name.definition.type) @definition.type
(preproc_function_def name: (identifier) @name.definition.macro) @definition.macro
(call_expression function: (identifier) @name.reference.call)
(call_expression function: (field_expression field: (field_identifier) @name.reference.call))
