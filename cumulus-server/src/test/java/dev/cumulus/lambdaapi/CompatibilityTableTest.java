package dev.cumulus.lambdaapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/lambda-compatibility.md's operation table cannot drift from the router: it lists exactly
 * the operations {@link Operation} routes, in its order, each with what is supported.
 */
class CompatibilityTableTest {
    static final Path DOC = Path.of("..", "docs", "lambda-compatibility.md");
    static final String HEADER = "| operation | supported | differences |";
    static final String OTHERS = "any other operation";

    @Test
    void theTableListsEveryRoutedOperationAndNothingElse() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int header = lines.indexOf(HEADER);
        assertThat(header).as("the table header in %s", DOC).isNotNegative();
        List<String> operations = new ArrayList<>();
        String lastRow = null;
        for (String line : lines.subList(header + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.split("\\|", -1);
            assertThat(cells).as("three cells in %s", line).hasSize(5);
            assertThat(cells[2].strip()).as("what is supported of %s", cells[1]).isNotEmpty();
            lastRow = cells[1].strip();
            if (!lastRow.equals(OTHERS)) {
                operations.add(lastRow);
            }
        }
        assertThat(operations).containsExactlyElementsOf(Operation.all().stream().map(Operation::name).toList());
        assertThat(lastRow).isEqualTo(OTHERS);
    }
}
