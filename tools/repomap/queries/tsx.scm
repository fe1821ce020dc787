; inherits: typescript
; TSX (TypeScript with JSX): the TypeScript patterns plus JSX components used as elements.
(jsx_opening_element name: (identifier) @name.reference.class)
(jsx_self_closing_element name: (identifier) @name.reference.class)
