package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

final class CodeExtractorTest {

    private static final String ADD = "def add(a, b):\n    return a + b";

    @Test
    void extract_fencedBlock_isItsBody() {
        assertEquals(ADD, CodeExtractor.extract("Here it is:\n```python\n" + ADD + "\n```\nDone.", "add"));
        assertEquals(ADD, CodeExtractor.extract("```\n" + ADD + "\n```", "add"));
    }

    @Test
    void extract_severalBlocks_prefersTheLastThatDefinesTheEntryPoint() {
        String text = "```python\ndef add(a, b):\n    return a - b\n```\nFixed:\n```python\n" + ADD + "\n```\nUsage:\n```python\nprint(add(1, 2))\n```";
        assertEquals(ADD, CodeExtractor.extract(text, "add"));
        assertEquals(ADD, CodeExtractor.extract(text, null), "without an entry point: the last block that defines a function");
        assertEquals("x = 1", CodeExtractor.extract("```bash\nls\n```\n```py\nx = 1\n```", "add"), "other languages are skipped");
    }

    @Test
    void extract_unclosedFence_runsToTheEnd() {
        assertEquals(ADD, CodeExtractor.extract("```python\n" + ADD + "\n", "add"));
    }

    @Test
    void extract_unfenced_dropsProseAroundTheCode() {
        String text = "Sure! Here is the function:\n\nimport math\n\n" + ADD + "\n\nprint(add(1, 2))\nThis returns the sum.\nHope it helps.";
        assertEquals("import math\n\n" + ADD + "\n\nprint(add(1, 2))", CodeExtractor.extract(text, "add"));
    }

    @Test
    void extract_indentedStart_isABodyThatContinuesThePrompt() {
        assertEquals("    return a + b", CodeExtractor.extract("    return a + b\n", "add"));
    }

    @Test
    void extract_noCode_isEmpty() {
        assertEquals("", CodeExtractor.extract("I do not know.", "add"));
        assertEquals("", CodeExtractor.extract("", "add"));
    }

    @Test
    void program_stubPrompt_keepsItsImportsBeforeAFullDefinition_andPrefixesABody() {
        String stub = "from typing import List\n\ndef add(a, b):\n    \"\"\"Sum.\"\"\"\n";
        assertEquals(stub + "\n" + ADD + "\n", CodeExtractor.program(stub, "add", "```python\n" + ADD + "\n```"));
        assertEquals(stub + "    return a + b\n", CodeExtractor.program(stub, "add", "    return a + b"));
        assertEquals(ADD + "\n", CodeExtractor.program("Write add(a, b) that sums.", "add", ADD), "a prose prompt is not Python");
        assertEquals("", CodeExtractor.program(stub, "add", "no idea"));
    }

    @Test
    void normalize_ignoresLayoutAndWholeLineComments() {
        String messy = "def add(a, b):\r\n\t# sum them\r\n\treturn a + b   \r\n\r\n";
        assertEquals(ADD + "\n", CodeExtractor.normalize(messy));
        assertEquals(CodeExtractor.normalize(ADD), CodeExtractor.normalize(messy));
    }
}
