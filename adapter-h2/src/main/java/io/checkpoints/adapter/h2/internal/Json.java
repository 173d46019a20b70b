package io.checkpoints.adapter.h2.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A strict reader of JSON text (RFC 8259), for the two places the H2 adapter must look into JSON
 * without a JSON library: the {@code type} member of a queued write, which decides whether an SQL
 * write arms the gate, and the {@code ps_kv} values, which H2 keeps as JSON. H2 has no JSON path
 * functions, so this cannot be done in SQL, and the adapter should not pull a JSON library into
 * every host's class path for it.
 *
 * <p>Not API: this package is internal to the H2 adapter. Stateless and thread-safe.
 */
public final class Json {

  /** The JSON {@code null}, distinct from "no value". */
  public static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private Json() {}

  /**
   * Reads one JSON value.
   *
   * @param text the JSON text; whitespace around the value is allowed
   * @return {@link Long} for an integer in the signed 64-bit range, {@link BigInteger} for a larger
   *     one, {@link BigDecimal} for a number with a fraction or exponent, {@link String},
   *     {@link Boolean}, {@link #NULL}, {@code List<Object>} or {@code Map<String, Object>}
   *     (members in order, the first of duplicate names kept); empty if {@code text} is not
   *     exactly one JSON value
   */
  public static Optional<Object> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Reader reader = new Reader(text);
    try {
      reader.whitespace();
      Object value = reader.value(0);
      reader.whitespace();
      if (!reader.atEnd()) {
        return Optional.empty();
      }
      return Optional.of(value);
    } catch (Malformed e) {
      return Optional.empty();
    }
  }

  /**
   * @param text JSON text
   * @param name a member name
   * @return the string value of that top-level member, if {@code text} is a JSON object whose
   *     member {@code name} (the first, if repeated) is a string
   */
  public static Optional<String> stringMember(String text, String name) {
    return parse(text)
        .filter(Map.class::isInstance)
        .map(object -> ((Map<?, ?>) object).get(name))
        .filter(String.class::isInstance)
        .map(String.class::cast);
  }

  /** Thrown inside the reader on malformed text; never leaves this class. */
  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed() {
      super(null, null, false, false);
    }
  }

  private static final class Reader {
    /** Deeper nesting is refused rather than risking the stack. */
    private static final int MAX_DEPTH = 512;

    private final String text;
    private int position;

    Reader(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return position == text.length();
    }

    void whitespace() {
      while (position < text.length()) {
        char c = text.charAt(position);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        position++;
      }
    }

    Object value(int depth) throws Malformed {
      if (depth > MAX_DEPTH || atEnd()) {
        throw new Malformed();
      }
      char c = text.charAt(position);
      switch (c) {
        case '{':
          return object(depth + 1);
        case '[':
          return array(depth + 1);
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return NULL;
        default:
          return number();
      }
    }

    private Map<String, Object> object(int depth) throws Malformed {
      position++; // '{'
      Map<String, Object> members = new LinkedHashMap<>();
      whitespace();
      if (peek() == '}') {
        position++;
        return members;
      }
      while (true) {
        whitespace();
        if (peek() != '"') {
          throw new Malformed();
        }
        String name = string();
        whitespace();
        expect(':');
        whitespace();
        Object value = value(depth);
        members.putIfAbsent(name, value);
        whitespace();
        char next = next();
        if (next == '}') {
          return members;
        }
        if (next != ',') {
          throw new Malformed();
        }
      }
    }

    private List<Object> array(int depth) throws Malformed {
      position++; // '['
      List<Object> items = new ArrayList<>();
      whitespace();
      if (peek() == ']') {
        position++;
        return items;
      }
      while (true) {
        whitespace();
        items.add(value(depth));
        whitespace();
        char next = next();
        if (next == ']') {
          return items;
        }
        if (next != ',') {
          throw new Malformed();
        }
      }
    }

    private String string() throws Malformed {
      position++; // '"'
      StringBuilder result = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return result.toString();
        }
        if (c < 0x20) {
          throw new Malformed();
        }
        if (c != '\\') {
          result.append(c);
          continue;
        }
        char escape = next();
        switch (escape) {
          case '"':
          case '\\':
          case '/':
            result.append(escape);
            break;
          case 'b':
            result.append('\b');
            break;
          case 'f':
            result.append('\f');
            break;
          case 'n':
            result.append('\n');
            break;
          case 'r':
            result.append('\r');
            break;
          case 't':
            result.append('\t');
            break;
          case 'u':
            result.append(hexCharacter());
            break;
          default:
            throw new Malformed();
        }
      }
    }

    private char hexCharacter() throws Malformed {
      if (position + 4 > text.length()) {
        throw new Malformed();
      }
      int value = 0;
      for (int i = 0; i < 4; i++) {
        int digit = Character.digit(text.charAt(position++), 16);
        if (digit < 0) {
          throw new Malformed();
        }
        value = value * 16 + digit;
      }
      return (char) value;
    }

    private Object number() throws Malformed {
      int start = position;
      if (peek() == '-') {
        position++;
      }
      if (peek() == '0') {
        position++;
      } else if (isDigit(peek())) {
        digits();
      } else {
        throw new Malformed();
      }
      boolean integer = true;
      if (peek() == '.') {
        integer = false;
        position++;
        if (!isDigit(peek())) {
          throw new Malformed();
        }
        digits();
      }
      if (peek() == 'e' || peek() == 'E') {
        integer = false;
        position++;
        if (peek() == '+' || peek() == '-') {
          position++;
        }
        if (!isDigit(peek())) {
          throw new Malformed();
        }
        digits();
      }
      String literal = text.substring(start, position);
      if (!integer) {
        return new BigDecimal(literal);
      }
      BigInteger value = new BigInteger(literal);
      return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private void digits() {
      while (isDigit(peek())) {
        position++;
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private void literal(String word) throws Malformed {
      if (!text.startsWith(word, position)) {
        throw new Malformed();
      }
      position += word.length();
    }

    private void expect(char c) throws Malformed {
      if (next() != c) {
        throw new Malformed();
      }
    }

    /** The current character, or {@code 0} at the end. */
    private char peek() {
      return atEnd() ? 0 : text.charAt(position);
    }

    private char next() throws Malformed {
      if (atEnd()) {
        throw new Malformed();
      }
      return text.charAt(position++);
    }
  }
}
