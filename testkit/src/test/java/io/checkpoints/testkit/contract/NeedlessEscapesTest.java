package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rewrite the contract suite allows a store to make of queued JSON data
 * ({@code UploadQueueContract.needlessEscapesAsCharacters}): only escapes of characters that need
 * none become the characters; a quote, a backslash and control characters keep their escapes.
 * Written with single quotes for JSON's double quotes and {@code |} for a backslash, to be read.
 */
class NeedlessEscapesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
      "{}; {}",
      "{'e':'|u00e9|'q'}; {'e':'\u00e9|'q'}",
      "{'s':'|u0041|/|u00fc'}; {'s':'A/\u00fc'}",
      "{'s':'|ud83d|ude00'}; {'s':'\ud83d\ude00'}",
      // A quote, a backslash and control characters need their escapes: kept, in the same form.
      "{'s':'|u0022|u005c|u001f|n|t'}; {'s':'|u0022|u005c|u001f|n|t'}",
      // An escaped backslash followed by u00e9 is a backslash and text, not an escape.
      "{'s':'||u00e9'}; {'s':'||u00e9'}",
      "{'s':'|||u00e9'}; {'s':'||\u00e9'}",
      // Outside strings nothing changes.
      "{'n':-1,'d':1.50,'b':true}; {'n':-1,'d':1.50,'b':true}"})
  void rewritesOnlyNeedlessEscapes(String written, String rewritten) {
    assertThat(UploadQueueContract.needlessEscapesAsCharacters(json(written)))
        .isEqualTo(json(rewritten));
  }

  private static String json(String readable) {
    return readable.replace('\'', '"').replace('|', '\\');
  }
}
