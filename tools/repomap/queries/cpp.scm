; inherits: c
; C++: the C patterns plus methods (in and out of class), classes, namespaces, qualified calls and bases.
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (identifier) @name.definition.method))) @definition.method
(function_definition declarator: (function_declarator declarator: (field_identifier) @name.definition.method)) @definition.method
(field_declaration declarator: (function_declarator declarator: (field_identifier) @name.definition.declaration)) @definition.declaration
(class_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class
(namespace_definition name: (namespace_identifier) @name.definition.module) @definition.module
(call_expression function: (qualified_identifier name: (identifier) @name.reference.call))
(base_class_clause (type_identifier) @name.reference.class)
