package io.portcullis.operator.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A manifest file cut into its YAML documents, each knowing the line it starts on, so that a
 * problem can be reported as {@code file:line} and one broken document does not hide the others.
 *
 * <p>Documents are cut at {@code ---} lines. YAML allows a {@code ---} inside a document only in
 * places a hand-written manifest never uses (a block scalar indented to column 0 is not valid at
 * top level), so a line cut is exact for manifests and needs no parse of the whole file.
 */
final class YamlDocuments {
  private YamlDocuments() {}

  /** The documents of {@code text} that hold anything but blank lines and comments. */
  static List<Document> split(String text) {
    List<Document> documents = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    StringBuilder current = new StringBuilder();
    int firstLine = 1;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.equals("---") || line.startsWith("--- ") || line.startsWith("---\t")) {
        add(documents, firstLine, current);
        current = new StringBuilder();
        firstLine = i + 2;
        // "--- {a: b}" carries content on the separator line itself.
        String rest = line.substring(3).trim();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
          current.append(rest).append('\n');
          firstLine = i + 1;
        }
      } else if (line.equals("...")) {
        add(documents, firstLine, current);
        current = new StringBuilder();
        firstLine = i + 2;
      } else {
        current.append(line).append('\n');
      }
    }
    add(documents, firstLine, current);
    return documents;
  }

  private static void add(List<Document> into, int firstLine, StringBuilder text) {
    for (String line : text.toString().split("\n")) {
      String trimmed = line.trim();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#") && !trimmed.startsWith("%")) {
        into.add(new Document(firstLine, text.toString()));
        return;
      }
    }
  }

  /**
   * One document.
   *
   * @param firstLine the file's line (1-based) the document's text starts on
   * @param text the document alone
   */
  record Document(int firstLine, String text) {

    /**
     * The file line of the YAML node at {@code path} (field names and list indexes, as Jackson
     * reports them), or of the deepest node on the way that exists; the document's first line
     * when the text does not even parse.
     */
    int lineOf(List<Object> path) {
      Optional<Node> root;
      try {
        root = new Compose(LoadSettings.builder().build()).composeString(text);
      } catch (RuntimeException e) {
        return syntaxErrorLine().orElse(firstLine);
      }
      if (root.isEmpty()) {
        return firstLine;
      }
      Node node = root.get();
      int line = line(node);
      for (Object step : path) {
        Node next = null;
        int keyLine = line;
        if (node instanceof MappingNode mapping && step instanceof String field) {
          for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(field)) {
              next = tuple.getValueNode();
              keyLine = line(tuple.getKeyNode());
              break;
            }
          }
        } else if (node instanceof SequenceNode sequence && step instanceof Integer index
            && index >= 0 && index < sequence.getValue().size()) {
          next = sequence.getValue().get(index);
          keyLine = line(next);
        }
        if (next == null) {
          return line;
        }
        node = next;
        line = keyLine;
      }
      return line;
    }

    /** Where a YAML syntax error sits, when the document has one. */
    Optional<Integer> syntaxErrorLine() {
      try {
        new Compose(LoadSettings.builder().build()).composeString(text);
        return Optional.empty();
      } catch (MarkedYamlEngineException e) {
        // The context ("while parsing a flow sequence") is where the author went wrong; the
        // problem mark is often just where the parser gave up (the end of the document).
        Optional<Mark> mark = e.getContextMark().or(e::getProblemMark);
        return mark.map(m -> firstLine + m.getLine());
      } catch (RuntimeException e) {
        return Optional.of(firstLine);
      }
    }

    /** The syntax error in YAML's words ("mapping values are not allowed here"), if any. */
    Optional<String> syntaxError() {
      try {
        new Compose(LoadSettings.builder().build()).composeString(text);
        return Optional.empty();
      } catch (MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? e.getContext() : e.getProblem();
        return Optional.of("YAML syntax: " + (problem == null ? "unreadable" : problem));
      } catch (RuntimeException e) {
        return Optional.of("YAML syntax: " + e.getMessage());
      }
    }

    private int line(Node node) {
      return node.getStartMark().map(m -> firstLine + m.getLine()).orElse(firstLine);
    }
  }
}
