package dev.cinderoperator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The README and docs/*.md as tests read them: fenced code blocks, and the shell commands in them
 * (continuation lines joined, comments and here-documents skipped).
 */
public final class MarkdownDocs {
  private MarkdownDocs() {}

  /** One fenced block: its file, the line of its opening fence, its language and its lines. */
  public record Block(Path file, int line, String lang, List<String> lines) {
    public String where() {
      return file + ":" + line;
    }
  }

  /**
   * One shell command as a person would type it.
   *
   * @param text the command without its trailing comment
   * @param comment the trailing comment without {@code #}, or ""
   */
  public record Command(Block block, int line, String text, String comment) {
    public String where() {
      return block.file() + ":" + line;
    }
  }

  /** The repository's root, from a module's working directory. */
  public static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve(".ci/run"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  /** README.md and every docs/**.md, as paths relative to the root. */
  public static List<Path> files(Path root) {
    List<Path> out = new ArrayList<>();
    out.add(Path.of("README.md"));
    try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md"))
          .map(root::relativize)
          .sorted()
          .forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public static List<Block> blocks(Path root, Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(root.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String open = lines.get(i).strip();
      if (!open.startsWith("```")) {
        continue;
      }
      String lang = open.substring(3).strip();
      int start = i;
      List<String> body = new ArrayList<>();
      for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
        body.add(lines.get(i));
      }
      out.add(new Block(file, start + 1, lang, body));
    }
    return out;
  }

  /** Every command of every {@code sh} block in the README and docs. */
  public static List<Command> shellCommands(Path root) {
    List<Command> out = new ArrayList<>();
    for (Path file : files(root)) {
      for (Block b : blocks(root, file)) {
        if (b.lang().equals("sh") || b.lang().equals("bash") || b.lang().equals("shell")) {
          out.addAll(shellCommandsOf(b));
        }
      }
    }
    return out;
  }

  /** The commands of one block (any language; callers pick the shell blocks). */
  public static List<Command> shellCommandsOf(Block b) {
    List<Command> out = new ArrayList<>();
    List<String> lines = b.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int first = i;
      StringBuilder text = new StringBuilder();
      StringBuilder comment = new StringBuilder();
      while (true) {
        String[] split = splitComment(lines.get(i).strip());
        comment.append(comment.length() > 0 && !split[1].isEmpty() ? " " : "").append(split[1]);
        String code = split[0].strip();
        boolean more = code.endsWith("\\");
        text.append(text.length() > 0 ? " " : "")
            .append(more ? code.substring(0, code.length() - 1).strip() : code);
        if (!more || i + 1 >= lines.size()) {
          break;
        }
        i++;
      }
      String heredoc = hereDocument(text.toString());
      if (heredoc != null) {
        while (i + 1 < lines.size() && !lines.get(i + 1).strip().equals(heredoc)) {
          i++;
        }
        i++;
      }
      out.add(new Command(b, b.line() + 1 + first, text.toString(), comment.toString().strip()));
    }
    return out;
  }

  /** {@code [code, comment]}: a {@code #} after whitespace and outside quotes starts a comment. */
  static String[] splitComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return new String[] {line.substring(0, i), line.substring(i + 1).strip()};
      }
    }
    return new String[] {line, ""};
  }

  private static String hereDocument(String command) {
    var m = java.util.regex.Pattern.compile("<<-?'?\"?(\\w+)").matcher(command);
    return m.find() ? m.group(1) : null;
  }
}
