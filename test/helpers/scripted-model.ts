/**
 * Model answers for task tests: a plan in the schema of DESIGN.md and an edit answer in the
 * whole-file format, built from the files a test wants changed.
 */
export interface PlannedFile {
  path: string;
  action: "read" | "modify" | "create" | "delete";
  reason?: string;
}

export function planAnswer(summary: string, files: PlannedFile[], steps: string[] = ["Make the change."]) {
  return {
    json: {
      summary,
      steps: steps.map((description) => ({ description })),
      files: files.map((f) => ({ path: f.path, action: f.action, reason: f.reason ?? "needed for the change" })),
    },
  };
}

/** A whole-file answer: for each file, its path alone on a line and a fence with the full content. */
export function wholeFileAnswer(files: Record<string, string>, preface = "Here are the changes."): { text: string } {
  const parts = [preface];
  for (const [path, content] of Object.entries(files)) {
    parts.push(`${path}\n\`\`\`\n${content}${content.endsWith("\n") ? "" : "\n"}\`\`\``);
  }
  return { text: parts.join("\n\n") + "\n" };
}
