; Python: classes, functions and methods, module-level constants; calls, arguments, base classes, imports, annotations.
(class_definition name: (identifier) @name.definition.class) @definition.class
(function_definition name: (identifier) @name.definition.function) @definition.function
(module (assignment left: (identifier) @name.definition.constant) @definition.constant)
(module (expression_statement (assignment left: (identifier) @name.definition.constant) @definition.constant))
(call function: (identifier) @name.reference.call)
(call function: (attribute attribute: (identifier) @name.reference.call))
(argument_list (identifier) @name.reference.argument)
(class_definition superclasses: (argument_list (attribute attribute: (identifier) @name.reference.class)))
(decorator (identifier) @name.reference.call)
(import_from_statement name: (dotted_name (identifier) @name.reference.import))
(import_from_statement name: (aliased_import name: (dotted_name (identifier) @name.reference.import)))
(type (identifier) @name.reference.type)
