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
    void extract_severalBlocks_keepsThemAll_theLastDefiningTheEntryPointGoesLast() {
        String wrong = "def add(a, b):\n    return a - b";
        String text = "```python\n" + wrong + "\n```\nFixed:\n```python\n" + ADD + "\n```\nUsage:\n```python\nprint(add(1, 2))\n```";
        assertEquals(wrong + "\n\nprint(add(1, 2))\n\n" + ADD, CodeExtractor.extract(text, "add"));
        assertEquals(wrong + "\n\n" + ADD + "\n\nprint(add(1, 2))", CodeExtractor.extract(text, null), "without an entry point: in order");
        assertEquals("x = 1", CodeExtractor.extract("```bash\nls\n```\n```py\nx = 1\n```", "add"), "other languages are skipped");
    }

    @Test
    void extract_helperInAnotherBlock_isKept() {
        String text = "A helper:\n```python\ndef twice(v):\n    return 2 * v\n```\nThen:\n```python\ndef add(a, b):\n    return twice(a + b) // 2\n```";
        assertEquals("def twice(v):\n    return 2 * v\n\ndef add(a, b):\n    return twice(a + b) // 2", CodeExtractor.extract(text, "add"));
    }

    @Test
    void extract_unfenced_startsAtTheFirstStatement_notTheFirstDefinition() {
        assertEquals("x = 1/0\n" + ADD, CodeExtractor.extract("x = 1/0\n" + ADD, "add"), "a failing preamble stays in the program");
        assertEquals("MOD = 7\ndef add(a, b):\n    return (a + b) % MOD",
                CodeExtractor.extract("Here:\nMOD = 7\ndef add(a, b):\n    return (a + b) % MOD\nDone.", "add"));
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
