; C++: functions, methods (in and out of class), classes, structs, enums, namespaces, typedefs, macros; calls.
(function_definition declarator: (function_declarator declarator: (identifier) @name.definition.function)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))) @definition.function
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (identifier) @name.definition.method))) @definition.method
(function_definition declarator: (function_declarator declarator: (field_identifier) @name.definition.method)) @definition.method
(declaration declarator: (function_declarator declarator: (identifier) @name.definition.declaration)) @definition.declaration
(field_declaration declarator: (function_declarator declarator: (field_identifier) @name.definition.declaration)) @definition.declaration
(class_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class
(struct_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class
(enum_specifier name: (type_identifier) @name.definition.enum body: (_)) @definition.enum
(namespace_definition name: (namespace_identifier) @name.definition.module) @definition.module
(type_definition declarator: (type_identifier) @name.definition.type) @definition.type
(preproc_function_def name: (identifier) @name.definition.macro) @definition.macro
(call_expression function: (identifier) @name.reference.call)
(call_expression function: (field_expression field: (field_identifier) @name.reference.call))
(call_expression function: (qualified_identifier name: (identifier) @name.reference.call))
(base_class_clause (type_identifier) @name.reference.class)
