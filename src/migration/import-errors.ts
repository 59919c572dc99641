/**
 * What an import refuses a file with. Kept apart from the XML reader so that code which
 * only reports on imports (the admin's job list) does not load the parser.
 */
/** The file is not well-formed XML: where and why (1-based line and column), and any further problems found. */
export class ImportParseError extends Error {
  readonly line: number;
  readonly column: number;
  /** Every problem found (up to ten), the first one first: "line 3, column 7: unclosed tag: item". */
  readonly problems: string[];
  constructor(problems: Array<{ line: number; column: number; reason: string }>) {
    const lines = problems.map((p) => `line ${p.line}, column ${p.column}: ${p.reason}`);
    super(lines.length > 1 ? `${lines[0]} (and ${lines.length - 1} more: ${lines.slice(1).join('; ')})` : lines[0]);
    this.name = 'ImportParseError';
    this.line = problems[0].line;
    this.column = problems[0].column;
    this.problems = lines;
  }
}

/** Well-formed XML, but not the kind of export the importer reads. */
export class ImportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFormatError';
  }
}
