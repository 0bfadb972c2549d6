package io.portcullis.waf.libinjection;

/**
 * SQL injection detection: a port of libinjection's SQLi tokenizer, folder and fingerprint
 * check (libinjection by Nick Galbreath, BSD 3-Clause; see LICENSE-libinjection.txt in the
 * resources). The structure follows libinjection_sqli.c function by function so the two can be
 * compared; inputs are byte strings (one char per byte, ISO-8859-1).
 *
 * <p>The input is tokenized as SQL in up to five contexts (as is, after a single quote, after a
 * double quote; ANSI or MySQL comments); tokens are folded into a fingerprint of at most five
 * token types, which is looked up among the known SQLi fingerprints, then checked against
 * libinjection's false-positive rules.
 */
public final class Sqli {
  private Sqli() {}

  static final int TOKEN_SIZE = 32;
  static final int MAX_TOKENS = 5;

  static final int FLAG_QUOTE_NONE = 1;
  static final int FLAG_QUOTE_SINGLE = 2;
  static final int FLAG_QUOTE_DOUBLE = 4;
  static final int FLAG_SQL_ANSI = 8;
  static final int FLAG_SQL_MYSQL = 16;

  static final char NUL = 0;
  static final char SINGLE = '\'';
  static final char DOUBLE = '"';
  static final char TICK = '`';

  static final char KEYWORD = 'k';
  static final char UNION = 'U';
  static final char GROUP = 'B';
  static final char EXPRESSION = 'E';
  static final char SQLTYPE = 't';
  static final char FUNCTION = 'f';
  static final char BAREWORD = 'n';
  static final char NUMBER = '1';
  static final char VARIABLE = 'v';
  static final char STRING = 's';
  static final char OPERATOR = 'o';
  static final char LOGIC_OPERATOR = '&';
  static final char COMMENT = 'c';
  static final char COLLATE = 'A';
  static final char LEFTPARENS = '(';
  static final char RIGHTPARENS = ')';
  static final char LEFTBRACE = '{';
  static final char RIGHTBRACE = '}';
  static final char DOT = '.';
  static final char COMMA = ',';
  static final char COLON = ':';
  static final char SEMICOLON = ';';
  static final char TSQL = 'T';
  static final char UNKNOWN = '?';
  static final char EVIL = 'X';
  static final char FINGERPRINT = 'F';
  static final char BACKSLASH = '\\';

  /** Which parser handles a byte: libinjection's char_parse_map, one code per byte value. */
  private static final String CHAR_MAP =
      "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwOshmoOsccOocdn/nnnnnnnnnnOcOOOxvWbWWeWWWWWWWWNWWqWWWuWWXWWB\\xoWtWbWWeWWWWWWWWNWWqWWWuWWXWWcOcowWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWwWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW";

  /** The SQLi fingerprint of {@code input} when it is SQL injection, else null. */
  public static String fingerprintIfSqli(String input) {
    State st = new State(input);
    return st.isSqli() ? st.fingerprint : null;
  }

  /** Whether {@code input} is SQL injection. */
  public static boolean isSqli(String input) {
    return fingerprintIfSqli(input) != null;
  }

  /** The fingerprint in one context (for tests against libinjection's own samples). */
  static String fingerprint(String input, int flags) {
    State st = new State(input);
    st.fingerprint(flags);
    return st.fingerprint;
  }

  static final class Token {
    char type;
    char strOpen;
    char strClose;
    int pos;
    int len;
    String val = "";

    void clear() {
      type = NUL;
      strOpen = NUL;
      strClose = NUL;
      pos = 0;
      len = 0;
      val = "";
    }

    void assignChar(char stype, int p, char value) {
      type = stype;
      pos = p;
      len = 1;
      val = String.valueOf(value);
    }

    void assign(char stype, int p, int length, String s, int from) {
      int last = Math.min(length, TOKEN_SIZE - 1);
      type = stype;
      pos = p;
      len = last;
      val = s.substring(from, from + last);
    }

    void copyFrom(Token o) {
      type = o.type;
      strOpen = o.strOpen;
      strClose = o.strClose;
      pos = o.pos;
      len = o.len;
      val = o.val;
    }

    char valAt(int i) {
      return i < val.length() ? val.charAt(i) : NUL;
    }

    boolean isArithmeticOp() {
      char ch = valAt(0);
      return type == OPERATOR && len == 1 && (ch == '*' || ch == '/' || ch == '-' || ch == '+' || ch == '%');
    }

    boolean isUnaryOp() {
      if (type != OPERATOR) {
        return false;
      }
      return switch (len) {
        case 1 -> val.charAt(0) == '+' || val.charAt(0) == '-' || val.charAt(0) == '!' || val.charAt(0) == '~';
        case 2 -> val.charAt(0) == '!' && val.charAt(1) == '!';
        case 3 -> val.equalsIgnoreCase("NOT");
        default -> false;
      };
    }

    boolean valIs(String upperWord) {
      return len == upperWord.length() && val.equalsIgnoreCase(upperWord);
    }
  }

  static boolean isWhite(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == 11 || ch == '\f' || ch == '\r' || ch == 0xa0 || ch == 0;
  }

  /** Length of the prefix of s[from, from+len) made only of {@code accept} (NUL counts as accepted, as strchr does). */
  static int strlenspn(String s, int from, int len, String accept) {
    for (int i = 0; i < len; i++) {
      char c = s.charAt(from + i);
      if (c != 0 && accept.indexOf(c) < 0) {
        return i;
      }
    }
    return len;
  }

  /** Length of the prefix of s[from, from+len) without any of {@code reject} (NUL always rejects). */
  static int strlencspn(String s, int from, int len, String reject) {
    for (int i = 0; i < len; i++) {
      char c = s.charAt(from + i);
      if (c == 0 || reject.indexOf(c) >= 0) {
        return i;
      }
    }
    return len;
  }

  /** Index of the two-char sequence c0 c1 in s[from, from+len), or -1. */
  static int memchr2(String s, int from, int len, char c0, char c1) {
    if (len < 2) {
      return -1;
    }
    int last = from + len - 1;
    for (int cur = from; cur < last; cur++) {
      if (s.charAt(cur) == c0 && s.charAt(cur + 1) == c1) {
        return cur;
      }
    }
    return -1;
  }

  static int memchr(String s, int from, int len, char c) {
    int end = from + len;
    for (int i = from; i < end; i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  static final class State {
    final String s;
    final int slen;
    int flags;
    int pos;
    final Token[] tokenvec = new Token[8];
    Token current;
    String fingerprint = "";
    int statsCommentDdx;
    int statsCommentHash;
    int statsTokens;

    State(String s) {
      this.s = s;
      this.slen = s.length();
      for (int i = 0; i < tokenvec.length; i++) {
        tokenvec[i] = new Token();
      }
      reset(0);
    }

    void reset(int f) {
      if (f == 0) {
        f = FLAG_QUOTE_NONE | FLAG_SQL_ANSI;
      }
      flags = f;
      pos = 0;
      for (Token t : tokenvec) {
        t.clear();
      }
      current = tokenvec[0];
      fingerprint = "";
      statsCommentDdx = 0;
      statsCommentHash = 0;
      statsTokens = 0;
    }

    char delim() {
      if ((flags & FLAG_QUOTE_SINGLE) != 0) {
        return SINGLE;
      } else if ((flags & FLAG_QUOTE_DOUBLE) != 0) {
        return DOUBLE;
      }
      return NUL;
    }

    // ---- parsers: each returns the position after what it consumed ----

    int parse(char code) {
      return switch (code) {
        case 'w' -> pos + 1;
        case 'O' -> parseOperator2();
        case 's' -> parseString();
        case 'h' -> parseHash();
        case 'm' -> parseMoney();
        case 'o' -> parseOperator1();
        case 'c' -> parseChar();
        case 'd' -> parseDash();
        case 'n' -> parseNumber();
        case '/' -> parseSlash();
        case 'x' -> parseOther();
        case 'v' -> parseVar();
        case 'b' -> parseBstring();
        case 'e' -> parseEstring();
        case 'N' -> parseNqstring();
        case 'q' -> parseQstring();
        case 'X' -> parseXstring();
        case 'u' -> parseUstring();
        case '\\' -> parseBackslash();
        case 't' -> parseTick();
        case 'B' -> parseBword();
        default -> parseWord();
      };
    }

    int parseOperator1() {
      current.assignChar(OPERATOR, pos, s.charAt(pos));
      return pos + 1;
    }

    int parseOther() {
      current.assignChar(UNKNOWN, pos, s.charAt(pos));
      return pos + 1;
    }

    int parseChar() {
      current.assignChar(s.charAt(pos), pos, s.charAt(pos));
      return pos + 1;
    }

    int parseEolComment() {
      int end = memchr(s, pos, slen - pos, '\n');
      if (end < 0) {
        current.assign(COMMENT, pos, slen - pos, s, pos);
        return slen;
      }
      current.assign(COMMENT, pos, end - pos, s, pos);
      return end + 1;
    }

    int parseHash() {
      statsCommentHash += 1;
      if ((flags & FLAG_SQL_MYSQL) != 0) {
        statsCommentHash += 1;
        return parseEolComment();
      }
      current.assignChar(OPERATOR, pos, '#');
      return pos + 1;
    }

    int parseDash() {
      if (pos + 2 < slen && s.charAt(pos + 1) == '-' && isWhite(s.charAt(pos + 2))) {
        return parseEolComment();
      } else if (pos + 2 == slen && s.charAt(pos + 1) == '-') {
        return parseEolComment();
      } else if (pos + 1 < slen && s.charAt(pos + 1) == '-' && (flags & FLAG_SQL_ANSI) != 0) {
        statsCommentDdx += 1;
        return parseEolComment();
      }
      current.assignChar(OPERATOR, pos, '-');
      return pos + 1;
    }

    int parseSlash() {
      int pos1 = pos + 1;
      if (pos1 == slen || s.charAt(pos1) != '*') {
        return parseOperator1();
      }
      char ctype = COMMENT;
      int ptr = memchr2(s, pos + 2, slen - (pos + 2), '*', '/');
      int clen = ptr < 0 ? slen - pos : ptr + 2 - pos;
      if (ptr >= 0 && memchr2(s, pos + 2, ptr - (pos + 1), '/', '*') >= 0) {
        ctype = EVIL;
      } else if (pos + 2 < slen && s.charAt(pos + 2) == '!') {
        ctype = EVIL; // MySQL conditional comment
      }
      current.assign(ctype, pos, clen, s, pos);
      return pos + clen;
    }

    int parseBackslash() {
      if (pos + 1 < slen && s.charAt(pos + 1) == 'N') {
        current.assign(NUMBER, pos, 2, s, pos);
        return pos + 2;
      }
      current.assignChar(BACKSLASH, pos, s.charAt(pos));
      return pos + 1;
    }

    int parseOperator2() {
      if (pos + 1 >= slen) {
        return parseOperator1();
      }
      if (pos + 2 < slen && s.charAt(pos) == '<' && s.charAt(pos + 1) == '=' && s.charAt(pos + 2) == '>') {
        current.assign(OPERATOR, pos, 3, s, pos);
        return pos + 3;
      }
      char ch = SqliKeywords.lookup(s, pos, 2);
      if (ch != NUL) {
        current.assign(ch, pos, 2, s, pos);
        return pos + 2;
      }
      if (s.charAt(pos) == ':') {
        current.assign(COLON, pos, 1, s, pos);
        return pos + 1;
      }
      return parseOperator1();
    }

    /** Whether the char at {@code end} is escaped by an odd run of backslashes reaching back to {@code start}. */
    boolean backslashEscaped(int end, int start) {
      int ptr = end;
      while (ptr >= start && s.charAt(ptr) == '\\') {
        ptr--;
      }
      return ((end - ptr) & 1) == 1;
    }

    int parseStringCore(int p, Token st, char delim, int offset) {
      int qpos = memchr(s, p + offset, slen - p - offset, delim);
      st.strOpen = offset > 0 ? delim : NUL;
      while (true) {
        if (qpos < 0) {
          st.assign(STRING, p + offset, slen - p - offset, s, p + offset);
          st.strClose = NUL;
          return slen;
        } else if (backslashEscaped(qpos - 1, p + offset)) {
          qpos = memchr(s, qpos + 1, slen - (qpos + 1), delim);
        } else if (qpos + 1 < slen && s.charAt(qpos + 1) == s.charAt(qpos)) {
          qpos = memchr(s, qpos + 2, slen - (qpos + 2), delim);
        } else {
          st.assign(STRING, p + offset, qpos - (p + offset), s, p + offset);
          st.strClose = delim;
          return qpos + 1;
        }
      }
    }

    int parseString() {
      return parseStringCore(pos, current, s.charAt(pos), 1);
    }

    int parseEstring() {
      if (pos + 2 >= slen || s.charAt(pos + 1) != SINGLE) {
        return parseWord();
      }
      return parseStringCore(pos, current, SINGLE, 2);
    }

    int parseUstring() {
      if (pos + 2 < slen && s.charAt(pos + 1) == '&' && s.charAt(pos + 2) == '\'') {
        pos += 2;
        int p = parseString();
        current.strOpen = 'u';
        if (current.strClose == '\'') {
          current.strClose = 'u';
        }
        return p;
      }
      return parseWord();
    }

    int parseQstringCore(int offset) {
      int p = pos + offset;
      if (p >= slen || (s.charAt(p) != 'q' && s.charAt(p) != 'Q') || p + 2 >= slen || s.charAt(p + 1) != '\'') {
        return parseWord();
      }
      char ch = s.charAt(p + 2);
      if ((byte) ch < 33) { // signed char in C
        return parseWord();
      }
      switch (ch) {
        case '(' -> ch = ')';
        case '[' -> ch = ']';
        case '{' -> ch = '}';
        case '<' -> ch = '>';
        default -> { }
      }
      int strend = memchr2(s, p + 3, slen - p - 3, ch, '\'');
      if (strend < 0) {
        current.assign(STRING, p + 3, slen - p - 3, s, p + 3);
        current.strOpen = 'q';
        current.strClose = NUL;
        return slen;
      }
      current.assign(STRING, p + 3, strend - p - 3, s, p + 3);
      current.strOpen = 'q';
      current.strClose = 'q';
      return strend + 2;
    }

    int parseQstring() {
      return parseQstringCore(0);
    }

    int parseNqstring() {
      if (pos + 2 < slen && s.charAt(pos + 1) == SINGLE) {
        return parseEstring();
      }
      return parseQstringCore(1);
    }

    int parseBstring() {
      if (pos + 2 >= slen || s.charAt(pos + 1) != '\'') {
        return parseWord();
      }
      int wlen = strlenspn(s, pos + 2, slen - pos - 2, "01");
      if (pos + 2 + wlen >= slen || s.charAt(pos + 2 + wlen) != '\'') {
        return parseWord();
      }
      current.assign(NUMBER, pos, wlen + 3, s, pos);
      return pos + 2 + wlen + 1;
    }

    int parseXstring() {
      if (pos + 2 >= slen || s.charAt(pos + 1) != '\'') {
        return parseWord();
      }
      int wlen = strlenspn(s, pos + 2, slen - pos - 2, "0123456789ABCDEFabcdef");
      if (pos + 2 + wlen >= slen || s.charAt(pos + 2 + wlen) != '\'') {
        return parseWord();
      }
      current.assign(NUMBER, pos, wlen + 3, s, pos);
      return pos + 2 + wlen + 1;
    }

    int parseBword() {
      int end = memchr(s, pos, slen - pos, ']');
      if (end < 0) {
        current.assign(BAREWORD, pos, slen - pos, s, pos);
        return slen;
      }
      current.assign(BAREWORD, pos, end - pos + 1, s, pos);
      return end + 1;
    }

    int parseWord() {
      int wlen = strlencspn(s, pos, slen - pos, " []{}<>:\\?=@!#~+-*/&|^%(),';\t\n\u000b\f\r\"\u00a0");
      current.assign(BAREWORD, pos, wlen, s, pos);
      for (int i = 0; i < current.len; i++) {
        char delim = current.val.charAt(i);
        if (delim == '.' || delim == '`') {
          char ch = SqliKeywords.lookup(current.val, 0, i);
          if (ch != NUL && ch != BAREWORD) {
            current.clear();
            current.assign(ch, pos, i, s, pos);
            return pos + i;
          }
        }
      }
      if (wlen < TOKEN_SIZE) {
        char ch = SqliKeywords.lookup(current.val, 0, wlen);
        current.type = ch == NUL ? BAREWORD : ch;
      }
      return pos + wlen;
    }

    int parseTick() {
      int p = parseStringCore(pos, current, TICK, 1);
      char ch = SqliKeywords.lookup(current.val, 0, current.len);
      current.type = ch == FUNCTION ? FUNCTION : BAREWORD;
      return p;
    }

    int parseVar() {
      int p = pos + 1;
      if (p < slen && s.charAt(p) == '@') {
        p += 1;
      }
      if (p < slen) {
        if (s.charAt(p) == '`') {
          pos = p;
          int r = parseTick();
          current.type = VARIABLE;
          return r;
        } else if (s.charAt(p) == SINGLE || s.charAt(p) == DOUBLE) {
          pos = p;
          int r = parseString();
          current.type = VARIABLE;
          return r;
        }
      }
      int xlen = strlencspn(s, p, slen - p, " <>:\\?=@!#~+-*/&|^%(),';\t\n\u000b\f\r'`\"");
      current.assign(VARIABLE, p, xlen, s, p);
      return p + xlen;
    }

    int parseMoney() {
      if (pos + 1 == slen) {
        current.assignChar(BAREWORD, pos, '$');
        return slen;
      }
      int xlen = strlenspn(s, pos + 1, slen - pos - 1, "0123456789.,");
      if (xlen == 0) {
        if (s.charAt(pos + 1) == '$') {
          int strend = memchr2(s, pos + 2, slen - pos - 2, '$', '$');
          if (strend < 0) {
            current.assign(STRING, pos + 2, slen - (pos + 2), s, pos + 2);
            current.strOpen = '$';
            current.strClose = NUL;
            return slen;
          }
          current.assign(STRING, pos + 2, strend - (pos + 2), s, pos + 2);
          current.strOpen = '$';
          current.strClose = '$';
          return strend + 2;
        }
        xlen = strlenspn(s, pos + 1, slen - pos - 1, "abcdefghjiklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        if (xlen == 0) {
          current.assignChar(BAREWORD, pos, '$');
          return pos + 1;
        }
        if (pos + xlen + 1 == slen || s.charAt(pos + xlen + 1) != '$') {
          current.assignChar(BAREWORD, pos, '$');
          return pos + 1;
        }
        String tag = s.substring(pos, pos + xlen + 2);
        int strend = s.indexOf(tag, pos + xlen + 2);
        if (strend < 0) {
          current.assign(STRING, pos + xlen + 2, slen - pos - xlen - 2, s, pos + xlen + 2);
          current.strOpen = '$';
          current.strClose = NUL;
          return slen;
        }
        current.assign(STRING, pos + xlen + 2, strend - (pos + xlen + 2), s, pos + xlen + 2);
        current.strOpen = '$';
        current.strClose = '$';
        return strend + xlen + 2;
      } else if (xlen == 1 && s.charAt(pos + 1) == '.') {
        return parseWord();
      }
      current.assign(NUMBER, pos, 1 + xlen, s, pos);
      return pos + 1 + xlen;
    }

    int parseNumber() {
      int p = pos;
      String digits = null;
      if (s.charAt(p) == '0' && p + 1 < slen) {
        char c1 = s.charAt(p + 1);
        if (c1 == 'X' || c1 == 'x') {
          digits = "0123456789ABCDEFabcdef";
        } else if (c1 == 'B' || c1 == 'b') {
          digits = "01";
        }
        if (digits != null) {
          int xlen = strlenspn(s, p + 2, slen - p - 2, digits);
          if (xlen == 0) {
            current.assign(BAREWORD, p, 2, s, p);
            return p + 2;
          }
          current.assign(NUMBER, p, 2 + xlen, s, p);
          return p + 2 + xlen;
        }
      }
      int start = p;
      while (p < slen && isDigit(s.charAt(p))) {
        p++;
      }
      if (p < slen && s.charAt(p) == '.') {
        p++;
        while (p < slen && isDigit(s.charAt(p))) {
          p++;
        }
        if (p - start == 1) {
          current.assignChar(DOT, start, '.');
          return p;
        }
      }
      boolean haveE = false;
      boolean haveExp = false;
      if (p < slen && (s.charAt(p) == 'E' || s.charAt(p) == 'e')) {
        haveE = true;
        p++;
        if (p < slen && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
          p++;
        }
        while (p < slen && isDigit(s.charAt(p))) {
          haveExp = true;
          p++;
        }
      }
      if (p < slen && (s.charAt(p) == 'd' || s.charAt(p) == 'D' || s.charAt(p) == 'f' || s.charAt(p) == 'F')) {
        if (p + 1 == slen) {
          p++;
        } else if (isWhite(s.charAt(p + 1)) || s.charAt(p + 1) == ';') {
          p++;
        } else if (s.charAt(p + 1) == 'u' || s.charAt(p + 1) == 'U') {
          p++;
        }
      }
      if (haveE && !haveExp) {
        current.assign(BAREWORD, start, p - start, s, start);
      } else {
        current.assign(NUMBER, start, p - start, s, start);
      }
      return p;
    }

    static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    // ---- tokenizer, folder, fingerprint ----

    boolean tokenize() {
      if (slen == 0) {
        return false;
      }
      current.clear();
      if (pos == 0 && (flags & (FLAG_QUOTE_SINGLE | FLAG_QUOTE_DOUBLE)) != 0) {
        pos = parseStringCore(0, current, delim(), 0);
        statsTokens += 1;
        return true;
      }
      while (pos < slen) {
        char ch = s.charAt(pos);
        pos = parse(ch < 256 ? CHAR_MAP.charAt(ch) : 'W');
        if (current.type != NUL) {
          statsTokens += 1;
          return true;
        }
      }
      return false;
    }

    boolean mergeWords(Token a, Token b) {
      if (!(a.type == KEYWORD || a.type == BAREWORD || a.type == OPERATOR || a.type == UNION
          || a.type == FUNCTION || a.type == EXPRESSION || a.type == TSQL || a.type == SQLTYPE)) {
        return false;
      }
      if (!(b.type == KEYWORD || b.type == BAREWORD || b.type == OPERATOR || b.type == UNION
          || b.type == FUNCTION || b.type == EXPRESSION || b.type == TSQL || b.type == SQLTYPE
          || b.type == LOGIC_OPERATOR)) {
        return false;
      }
      int sz3 = a.len + b.len + 1;
      if (sz3 >= TOKEN_SIZE) {
        return false;
      }
      String tmp = a.val + " " + b.val;
      char ch = SqliKeywords.lookup(tmp);
      if (ch != NUL) {
        a.assign(ch, a.pos, sz3, tmp, 0);
        return true;
      }
      return false;
    }

    int fold() {
      Token lastComment = new Token();
      int p = 0;
      int left = 0;
      boolean more = true;
      current = tokenvec[0];
      while (more) {
        more = tokenize();
        if (!(current.type == COMMENT || current.type == LEFTPARENS || current.type == SQLTYPE
            || current.isUnaryOp())) {
          break;
        }
      }
      if (!more) {
        return 0;
      }
      p += 1;
      Token[] v = tokenvec;
      while (true) {
        if (p >= MAX_TOKENS) {
          if ((v[0].type == NUMBER && (v[1].type == OPERATOR || v[1].type == COMMA)
                  && v[2].type == LEFTPARENS && v[3].type == NUMBER && v[4].type == RIGHTPARENS)
              || (v[0].type == BAREWORD && v[1].type == OPERATOR && v[2].type == LEFTPARENS
                  && (v[3].type == BAREWORD || v[3].type == NUMBER) && v[4].type == RIGHTPARENS)
              || (v[0].type == NUMBER && v[1].type == RIGHTPARENS && v[2].type == COMMA
                  && v[3].type == LEFTPARENS && v[4].type == NUMBER)
              || (v[0].type == BAREWORD && v[1].type == RIGHTPARENS && v[2].type == OPERATOR
                  && v[3].type == LEFTPARENS && v[4].type == BAREWORD)) {
            if (p > MAX_TOKENS) {
              v[1].copyFrom(v[MAX_TOKENS]);
              p = 2;
              left = 0;
            } else {
              p = 1;
              left = 0;
            }
          }
        }
        if (!more || left >= MAX_TOKENS) {
          left = p;
          break;
        }
        while (more && p <= MAX_TOKENS && (p - left) < 2) {
          current = v[p];
          more = tokenize();
          if (more) {
            if (current.type == COMMENT) {
              lastComment.copyFrom(current);
            } else {
              lastComment.type = NUL;
              p += 1;
            }
          }
        }
        if (p - left < 2) {
          left = p;
          continue;
        }
        Token a = v[left];
        Token b = v[left + 1];
        if (a.type == STRING && b.type == STRING) {
          p -= 1;
          continue;
        } else if (a.type == SEMICOLON && b.type == SEMICOLON) {
          p -= 1;
          continue;
        } else if ((a.type == OPERATOR || a.type == LOGIC_OPERATOR) && (b.isUnaryOp() || b.type == SQLTYPE)) {
          p -= 1;
          left = 0;
          continue;
        } else if (a.type == LEFTPARENS && b.isUnaryOp()) {
          p -= 1;
          if (left > 0) {
            left -= 1;
          }
          continue;
        } else if (mergeWords(a, b)) {
          p -= 1;
          if (left > 0) {
            left -= 1;
          }
          continue;
        } else if (a.type == SEMICOLON && b.type == FUNCTION
            && (b.valAt(0) == 'I' || b.valAt(0) == 'i') && (b.valAt(1) == 'F' || b.valAt(1) == 'f')) {
          b.type = TSQL;
          continue;
        } else if ((a.type == BAREWORD || a.type == VARIABLE) && b.type == LEFTPARENS
            && (a.valIs("USER_ID") || a.valIs("USER_NAME") || a.valIs("DATABASE") || a.valIs("PASSWORD")
                || a.valIs("USER") || a.valIs("CURRENT_USER") || a.valIs("CURRENT_DATE")
                || a.valIs("CURRENT_TIME") || a.valIs("CURRENT_TIMESTAMP") || a.valIs("LOCALTIME")
                || a.valIs("LOCALTIMESTAMP"))) {
          a.type = FUNCTION;
          continue;
        } else if (a.type == KEYWORD && (a.valIs("IN") || a.valIs("NOT IN"))) {
          a.type = b.type == LEFTPARENS ? OPERATOR : BAREWORD;
          continue;
        } else if (a.type == OPERATOR && (a.valIs("LIKE") || a.valIs("NOT LIKE"))) {
          if (b.type == LEFTPARENS) {
            a.type = FUNCTION;
          }
        } else if (a.type == SQLTYPE && (b.type == BAREWORD || b.type == NUMBER || b.type == SQLTYPE
            || b.type == LEFTPARENS || b.type == FUNCTION || b.type == VARIABLE || b.type == STRING)) {
          a.copyFrom(b);
          p -= 1;
          left = 0;
          continue;
        } else if (a.type == COLLATE && b.type == BAREWORD) {
          if (b.val.indexOf('_') >= 0) {
            b.type = SQLTYPE;
            left = 0;
          }
        } else if (a.type == BACKSLASH) {
          if (b.isArithmeticOp()) {
            a.type = NUMBER;
          } else {
            a.copyFrom(b);
            p -= 1;
          }
          left = 0;
          continue;
        } else if (a.type == LEFTPARENS && b.type == LEFTPARENS) {
          p -= 1;
          left = 0;
          continue;
        } else if (a.type == RIGHTPARENS && b.type == RIGHTPARENS) {
          p -= 1;
          left = 0;
          continue;
        } else if (a.type == LEFTBRACE && b.type == BAREWORD) {
          if (b.len == 0) {
            b.type = EVIL;
            return left + 2;
          }
          left = 0;
          p -= 2;
          continue;
        } else if (b.type == RIGHTBRACE) {
          p -= 1;
          left = 0;
          continue;
        }
        while (more && p <= MAX_TOKENS && p - left < 3) {
          current = v[p];
          more = tokenize();
          if (more) {
            if (current.type == COMMENT) {
              lastComment.copyFrom(current);
            } else {
              lastComment.type = NUL;
              p += 1;
            }
          }
        }
        if (p - left < 3) {
          left = p;
          continue;
        }
        a = v[left];
        b = v[left + 1];
        Token c = v[left + 2];
        if (a.type == NUMBER && b.type == OPERATOR && c.type == NUMBER) {
          p -= 2;
          left = 0;
          continue;
        } else if (a.type == OPERATOR && b.type != LEFTPARENS && c.type == OPERATOR) {
          left = 0;
          p -= 2;
          continue;
        } else if (a.type == LOGIC_OPERATOR && c.type == LOGIC_OPERATOR) {
          p -= 2;
          left = 0;
          continue;
        } else if (a.type == VARIABLE && b.type == OPERATOR
            && (c.type == VARIABLE || c.type == NUMBER || c.type == BAREWORD)) {
          p -= 2;
          left = 0;
          continue;
        } else if ((a.type == BAREWORD || a.type == NUMBER) && b.type == OPERATOR
            && (c.type == NUMBER || c.type == BAREWORD)) {
          p -= 2;
          left = 0;
          continue;
        } else if ((a.type == BAREWORD || a.type == NUMBER || a.type == VARIABLE || a.type == STRING)
            && b.type == OPERATOR && b.val.equals("::") && c.type == SQLTYPE) {
          p -= 2;
          left = 0;
          continue;
        } else if ((a.type == BAREWORD || a.type == NUMBER || a.type == STRING || a.type == VARIABLE)
            && b.type == COMMA
            && (c.type == NUMBER || c.type == BAREWORD || c.type == STRING || c.type == VARIABLE)) {
          p -= 2;
          left = 0;
          continue;
        } else if ((a.type == EXPRESSION || a.type == GROUP || a.type == COMMA) && b.isUnaryOp()
            && c.type == LEFTPARENS) {
          b.copyFrom(c);
          p -= 1;
          left = 0;
          continue;
        } else if ((a.type == KEYWORD || a.type == EXPRESSION || a.type == GROUP) && b.isUnaryOp()
            && (c.type == NUMBER || c.type == BAREWORD || c.type == VARIABLE || c.type == STRING
                || c.type == FUNCTION)) {
          b.copyFrom(c);
          p -= 1;
          left = 0;
          continue;
        } else if (a.type == COMMA && b.isUnaryOp()
            && (c.type == NUMBER || c.type == BAREWORD || c.type == VARIABLE || c.type == STRING)) {
          b.copyFrom(c);
          left = 0;
          p -= 3;
          continue;
        } else if (a.type == COMMA && b.isUnaryOp() && c.type == FUNCTION) {
          b.copyFrom(c);
          p -= 1;
          left = 0;
          continue;
        } else if (a.type == BAREWORD && b.type == DOT && c.type == BAREWORD) {
          p -= 2;
          left = 0;
          continue;
        } else if (a.type == EXPRESSION && b.type == DOT && c.type == BAREWORD) {
          b.copyFrom(c);
          p -= 1;
          left = 0;
          continue;
        } else if (a.type == FUNCTION && b.type == LEFTPARENS && c.type != RIGHTPARENS) {
          if (a.valIs("USER")) {
            a.type = BAREWORD;
          }
        }
        left += 1;
      }
      if (left < MAX_TOKENS && lastComment.type == COMMENT) {
        v[left].copyFrom(lastComment);
        left += 1;
      }
      if (left > MAX_TOKENS) {
        left = MAX_TOKENS;
      }
      return left;
    }

    String fingerprint(int f) {
      reset(f);
      int tlen = fold();
      if (tlen > 2 && tokenvec[tlen - 1].type == BAREWORD && tokenvec[tlen - 1].strOpen == TICK
          && tokenvec[tlen - 1].len == 0 && tokenvec[tlen - 1].strClose == NUL) {
        tokenvec[tlen - 1].type = COMMENT;
      }
      StringBuilder fp = new StringBuilder(tlen);
      for (int i = 0; i < tlen; i++) {
        fp.append(tokenvec[i].type);
      }
      fingerprint = fp.toString();
      if (fingerprint.indexOf(EVIL) >= 0) {
        fingerprint = String.valueOf(EVIL);
        tokenvec[0].clear();
        tokenvec[0].type = EVIL;
        tokenvec[0].val = String.valueOf(EVIL);
        tokenvec[0].len = 1;
        tokenvec[1].type = NUL;
      }
      return fingerprint;
    }

    boolean blacklist() {
      int len = fingerprint.length();
      if (len < 1) {
        return false;
      }
      StringBuilder fp2 = new StringBuilder(len + 1).append('0');
      for (int i = 0; i < len; i++) {
        char ch = fingerprint.charAt(i);
        fp2.append(ch >= 'a' && ch <= 'z' ? (char) (ch - 32) : ch);
      }
      return SqliKeywords.lookup(fp2.toString()) == FINGERPRINT;
    }

    boolean notWhitelist() {
      int tlen = fingerprint.length();
      if (tlen > 1 && fingerprint.charAt(tlen - 1) == COMMENT) {
        if (s.contains("sp_password")) {
          return true;
        }
      }
      switch (tlen) {
        case 2 -> {
          if (fingerprint.charAt(1) == UNION) {
            return statsTokens != 2;
          }
          if (tokenvec[1].valAt(0) == '#') {
            return false;
          }
          if (tokenvec[0].type == BAREWORD && tokenvec[1].type == COMMENT && tokenvec[1].valAt(0) != '/') {
            return false;
          }
          if (tokenvec[0].type == NUMBER && tokenvec[1].type == COMMENT && tokenvec[1].valAt(0) == '/') {
            return true;
          }
          if (tokenvec[0].type == NUMBER && tokenvec[1].type == COMMENT) {
            if (statsTokens > 2) {
              return true;
            }
            char ch = charAt(tokenvec[0].len);
            if ((byte) ch <= 32) { // C's signed char: bytes 0x80-0xff count as "white" here
              return true;
            }
            if (ch == '/' && charAt(tokenvec[0].len + 1) == '*') {
              return true;
            }
            if (ch == '-' && charAt(tokenvec[0].len + 1) == '-') {
              return true;
            }
            return false;
          }
          if (tokenvec[1].len > 2 && tokenvec[1].valAt(0) == '-') {
            return false;
          }
        }
        case 3 -> {
          if (fingerprint.equals("sos") || fingerprint.equals("s&s")) {
            if (tokenvec[0].strOpen == NUL && tokenvec[2].strClose == NUL
                && tokenvec[0].strClose == tokenvec[2].strOpen) {
              return true;
            }
            return false;
          } else if (fingerprint.equals("s&n") || fingerprint.equals("n&1") || fingerprint.equals("1&1")
              || fingerprint.equals("1&v") || fingerprint.equals("1&s")) {
            if (statsTokens == 3) {
              return false;
            }
          } else if (tokenvec[1].type == KEYWORD) {
            if (tokenvec[1].len < 5 || !tokenvec[1].val.regionMatches(true, 0, "INTO", 0, 4)) {
              return false;
            }
          }
        }
        default -> { }
      }
      return true;
    }

    private char charAt(int i) {
      return i < slen ? s.charAt(i) : NUL;
    }

    boolean checkFingerprint() {
      return blacklist() && notWhitelist();
    }

    boolean reparseAsMysql() {
      return statsCommentDdx != 0 || statsCommentHash != 0;
    }

    boolean isSqli() {
      if (slen == 0) {
        return false;
      }
      fingerprint(FLAG_QUOTE_NONE | FLAG_SQL_ANSI);
      if (checkFingerprint()) {
        return true;
      } else if (reparseAsMysql()) {
        fingerprint(FLAG_QUOTE_NONE | FLAG_SQL_MYSQL);
        if (checkFingerprint()) {
          return true;
        }
      }
      if (s.indexOf(SINGLE) >= 0) {
        fingerprint(FLAG_QUOTE_SINGLE | FLAG_SQL_ANSI);
        if (checkFingerprint()) {
          return true;
        } else if (reparseAsMysql()) {
          fingerprint(FLAG_QUOTE_SINGLE | FLAG_SQL_MYSQL);
          if (checkFingerprint()) {
            return true;
          }
        }
      }
      if (s.indexOf(DOUBLE) >= 0) {
        fingerprint(FLAG_QUOTE_DOUBLE | FLAG_SQL_MYSQL);
        if (checkFingerprint()) {
          return true;
        }
      }
      return false;
    }
  }
}
