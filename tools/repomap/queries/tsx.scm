; TSX (TypeScript with JSX): functions, classes, interfaces, type aliases, enums, methods; calls and type references.
(function_declaration name: (identifier) @name.definition.function) @definition.function
(class_declaration name: (type_identifier) @name.definition.class) @definition.class
(abstract_class_declaration name: (type_identifier) @name.definition.class) @definition.class
(interface_declaration name: (type_identifier) @name.definition.interface) @definition.interface
(type_alias_declaration name: (type_identifier) @name.definition.type) @definition.type
(enum_declaration name: (identifier) @name.definition.enum) @definition.enum
(method_definition name: (property_identifier) @name.definition.method) @definition.method
(method_signature name: (property_identifier) @name.definition.method) @definition.method
(abstract_method_signature name: (property_identifier) @name.definition.method) @definition.method
(variable_declarator name: (identifier) @name.definition.function value: [(arrow_function) (function_expression)]) @definition.function
(call_expression function: (identifier) @name.reference.call)
(call_expression function: (member_expression property: (property_identifier) @name.reference.call))
(new_expression constructor: (identifier) @name.reference.class)
(type_annotation (type_identifier) @name.reference.type)
(extends_clause value: (identifier) @name.reference.class)
(implements_clause (type_identifier) @name.reference.class)
(jsx_opening_element name: (identifier) @name.reference.class)
