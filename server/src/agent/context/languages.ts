/**
 * The languages the repo map understands with tree-sitter: which file names belong to which
 * grammar (from the `tree-sitter-wasms` package), and the query that finds each language's
 * definitions. References are not queried per language: every identifier a file uses is found by
 * a plain scan, and becomes a reference wherever another file defines that name.
 *
 * Each query pairs a definition node, captured as `@def.<kind>`, with its name, captured as
 * `@name`. A declaration without a body (a C prototype, a method declared in a C++ class) is kind
 * `prototype`: it names the thing, but the file to change is usually the one with the body. Names that come out qualified (`Foo::bar`, `M.run`, `obj:method`) are reduced to their
 * last segment, which is what other files write when they use them.
 */

export interface LanguageSpec {
  /** The grammar's name in tree-sitter-wasms (`out/tree-sitter-<grammar>.wasm`). */
  grammar: string;
  query: string;
}

const typescriptCommon = `
(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(class_declaration name: (type_identifier) @name) @def.class
(abstract_class_declaration name: (type_identifier) @name) @def.class
(interface_declaration name: (type_identifier) @name) @def.interface
(type_alias_declaration name: (type_identifier) @name) @def.type
(enum_declaration name: (identifier) @name) @def.enum
(method_definition name: (property_identifier) @name) @def.method
(abstract_method_signature name: (property_identifier) @name) @def.method
(method_signature name: (property_identifier) @name) @def.method
(module name: (_) @name) @def.module
(internal_module name: (_) @name) @def.module
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @def.variable)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name)) @def.variable))
(program (variable_declaration (variable_declarator name: (identifier) @name)) @def.variable)
`;

const javascript = `
(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(class_declaration name: (identifier) @name) @def.class
(method_definition name: (property_identifier) @name) @def.method
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @def.variable)
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name)) @def.variable))
(program (variable_declaration (variable_declarator name: (identifier) @name)) @def.variable)
(program (expression_statement (assignment_expression left: (member_expression property: (property_identifier) @name) right: [(function_expression) (arrow_function) (class)])) @def.function)
`;

const python = `
(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class
(module (expression_statement (assignment left: (identifier) @name)) @def.variable)
`;

const go = `
(function_declaration name: (identifier) @name) @def.function
(method_declaration name: (field_identifier) @name) @def.method
(type_spec name: (type_identifier) @name) @def.type
(source_file (const_declaration (const_spec name: (identifier) @name)) @def.constant)
(source_file (var_declaration (var_spec name: (identifier) @name)) @def.variable)
(method_spec name: (field_identifier) @name) @def.method
`;

const rust = `
(function_item name: (identifier) @name) @def.function
(function_signature_item name: (identifier) @name) @def.function
(struct_item name: (type_identifier) @name) @def.struct
(enum_item name: (type_identifier) @name) @def.enum
(union_item name: (type_identifier) @name) @def.struct
(trait_item name: (type_identifier) @name) @def.trait
(type_item name: (type_identifier) @name) @def.type
(mod_item name: (identifier) @name) @def.module
(macro_definition name: (identifier) @name) @def.macro
(const_item name: (identifier) @name) @def.constant
(static_item name: (identifier) @name) @def.constant
(impl_item type: (_) @name) @def.impl
`;

const java = `
(class_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(record_declaration name: (identifier) @name) @def.class
(annotation_type_declaration name: (identifier) @name) @def.interface
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.method
`;

// Prototypes count only where declarations of the file's interface live (the top level, include
// guards, namespaces), not inside function bodies, where C++ reads `Matrix out(a, b);` the same way.
const declarationScopes = (grammar: "c" | "cpp") =>
  ["translation_unit", "preproc_ifdef", "preproc_if", "preproc_else", ...(grammar === "cpp" ? ["declaration_list", "field_declaration_list"] : [])]
    .flatMap((scope) => [
      `(${scope} (declaration declarator: (function_declarator declarator: (_) @name)) @def.prototype)`,
      `(${scope} (declaration declarator: (_ (function_declarator declarator: (_) @name))) @def.prototype)`,
    ])
    .join("\n");

const cFamilyDefinitions = `
(function_definition declarator: (function_declarator declarator: (_) @name)) @def.function
(function_definition declarator: (_ (function_declarator declarator: (_) @name))) @def.function
(struct_specifier name: (type_identifier) @name body: (_)) @def.struct
(union_specifier name: (type_identifier) @name body: (_)) @def.struct
(enum_specifier name: (type_identifier) @name body: (_)) @def.enum
(type_definition declarator: (type_identifier) @name) @def.type
(preproc_def name: (identifier) @name value: (_)) @def.macro
(preproc_function_def name: (identifier) @name) @def.macro
`;

const cFamily = `${cFamilyDefinitions}${declarationScopes("c")}
`;

const cpp = `${cFamilyDefinitions}${declarationScopes("cpp")}
(class_specifier name: (_) @name body: (_)) @def.class
(namespace_definition name: (_) @name) @def.module
(field_declaration declarator: (function_declarator declarator: (_) @name)) @def.prototype
(alias_declaration name: (type_identifier) @name) @def.type
`;

const lua = `
(local_function_definition_statement name: (_) @name) @def.function
(function_definition_statement name: (_) @name) @def.function
(variable_assignment (variable_list (variable) @name) (expression_list value: (function_definition))) @def.function
(local_variable_declaration (variable_list (variable) @name) (expression_list value: (function_definition))) @def.function
`;

const ruby = `
(method name: (_) @name) @def.method
(singleton_method name: (_) @name) @def.method
(class name: (_) @name) @def.class
(module name: (_) @name) @def.module
`;

const byGrammar: Record<string, string> = {
  typescript: typescriptCommon,
  tsx: typescriptCommon,
  javascript,
  python,
  go,
  rust,
  java,
  c: cFamily,
  cpp,
  lua,
  ruby,
};

const byExtension: Record<string, string> = {
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  tsx: "tsx",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "javascript",
  py: "python",
  pyi: "python",
  go: "go",
  rs: "rust",
  java: "java",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  hh: "cpp",
  hxx: "cpp",
  ipp: "cpp",
  lua: "lua",
  rb: "ruby",
  rake: "ruby",
};

const byFileName: Record<string, string> = {
  Rakefile: "ruby",
  Gemfile: "ruby",
};

/** The grammar and definition query for a file, or null when the file gets the plain-text reading. */
export function languageFor(rel: string): LanguageSpec | null {
  const base = rel.slice(rel.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  const grammar = byFileName[base] ?? (dot > 0 ? byExtension[base.slice(dot + 1).toLowerCase()] : undefined);
  if (grammar === undefined) return null;
  return { grammar, query: byGrammar[grammar]! };
}

/** The definition query of a grammar this module knows. */
export function definitionQuery(grammar: string): string {
  const query = byGrammar[grammar];
  if (query === undefined) throw new Error(`No definition query is known for the ${grammar} grammar.`);
  return query;
}

/** Source files the map has no grammar for, still code rather than prose or data. */
const otherCode = /\.(kt|kts|cs|swift|scala|php|sh|bash|zsh|fish|ps1|pl|pm|r|jl|ex|exs|erl|hrl|clj|cljs|hs|ml|mli|fs|fsx|dart|zig|nim|v|sv|vhd|m|mm|groovy|gradle|sql|vue|svelte|el|vim)$/i;

/** True for source code (with or without a grammar), false for prose, data and configuration. */
export function isCode(rel: string): boolean {
  return languageFor(rel) !== null || otherCode.test(rel);
}

export const supportedGrammars: readonly string[] = Object.keys(byGrammar);
