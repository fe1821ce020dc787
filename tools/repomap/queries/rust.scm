; Rust: functions, structs, enums, traits, type aliases, macros, modules; calls, macro calls, impls.
(function_item name: (identifier) @name.definition.function) @definition.function
(function_signature_item name: (identifier) @name.definition.function) @definition.function
(struct_item name: (type_identifier) @name.definition.class) @definition.class
(enum_item name: (type_identifier) @name.definition.enum) @definition.enum
(union_item name: (type_identifier) @name.definition.class) @definition.class
(trait_item name: (type_identifier) @name.definition.interface) @definition.interface
(type_item name: (type_identifier) @name.definition.type) @definition.type
(macro_definition name: (identifier) @name.definition.macro) @definition.macro
(mod_item name: (identifier) @name.definition.module body: (_)) @definition.module
(impl_item type: (type_identifier) @name.definition.implementation) @definition.implementation
(call_expression function: (identifier) @name.reference.call)
(call_expression function: (field_expression field: (field_identifier) @name.reference.call))
(call_expression function: (scoped_identifier name: (identifier) @name.reference.call))
(macro_invocation macro: (identifier) @name.reference.call)
(impl_item trait: (type_identifier) @name.reference.implementation)
(struct_expression name: (type_identifier) @name.reference.class)
