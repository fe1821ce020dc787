; Java: classes, interfaces, enums, records, methods, constructors; calls and type references.
(class_declaration name: (identifier) @name.definition.class) @definition.class
(interface_declaration name: (identifier) @name.definition.interface) @definition.interface
(enum_declaration name: (identifier) @name.definition.enum) @definition.enum
(record_declaration name: (identifier) @name.definition.class) @definition.class
(method_declaration name: (identifier) @name.definition.method) @definition.method
(constructor_declaration name: (identifier) @name.definition.method) @definition.method
(method_invocation name: (identifier) @name.reference.call)
(object_creation_expression type: (type_identifier) @name.reference.class)
(superclass (type_identifier) @name.reference.class)
(super_interfaces (type_list (type_identifier) @name.reference.class))
(formal_parameter type: (type_identifier) @name.reference.type)
