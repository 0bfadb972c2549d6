package io.portcullis.waf.libinjection;

/**
 * Cross-site scripting detection: a port of libinjection's XSS check and its HTML5 tokenizer
 * (libinjection by Nick Galbreath, BSD 3-Clause; see LICENSE-libinjection.txt in the resources),
 * following libinjection_xss.c and libinjection_html5.c function by function.
 *
 * <p>The input is tokenized as HTML5 in five contexts (text, and an attribute value unquoted,
 * single-, double- and back-quoted); it is XSS when a token is a doctype, a dangerous tag, an
 * event handler or other dangerous attribute, a script-capable URL in a URL attribute, or a
 * suspicious comment.
 */
public final class Xss {
  private Xss() {}

  enum AttrType { NONE, BLACK, ATTR_URL, STYLE, ATTR_INDIRECT }

  private static final String[] EVENTS = {
      "ABORT",
      "ACTIVATE",
      "ACTIVE",
      "ADDSOURCEBUFFER",
      "ADDSTREAM",
      "ADDTRACK",
      "AFTERPRINT",
      "ANIMATIONCANCEL",
      "ANIMATIONEND",
      "ANIMATIONITERATION",
      "ANIMATIONSTART",
      "AUDIOEND",
      "AUDIOPROCESS",
      "AUDIOSTART",
      "AUTOCOMPLETEERROR",
      "AUTOCOMPLETE",
      "BEFOREACTIVATE",
      "BEFORECOPY",
      "BEFORECUT",
      "BEFOREINPUT",
      "BEFORELOAD",
      "BEFOREPASTE",
      "BEFOREPRINT",
      "BEFOREUNLOAD",
      "BEGINEVENT",
      "BLOCKED",
      "BLUR",
      "BOUNDARY",
      "BUFFEREDAMOUNTLOW",
      "CACHED",
      "CANCEL",
      "CANPLAYTHROUGH",
      "CANPLAY",
      "CHANGE",
      "CHARGINGCHANGE",
      "CHARGINGTIMECHANGE",
      "CHECKING",
      "CLICK",
      "CLOSE",
      "COMPLETE",
      "COMPOSITIONEND",
      "COMPOSITIONSTART",
      "COMPOSITIONUPDATE",
      "CONNECTING",
      "CONNECTIONSTATECHANGE",
      "CONNECT",
      "CONTEXTMENU",
      "CONTROLLERCHANGE",
      "COPY",
      "CUECHANGE",
      "CUT",
      "DATAAVAILABLE",
      "DATACHANNEL",
      "DBLCLICK",
      "DEVICECHANGE",
      "DEVICEMOTION",
      "DEVICEORIENTATION",
      "DISCHARGINGTIMECHANGE",
      "DISCONNECT",
      "DOMACTIVATE",
      "DOMCHARACTERDATAMODIFIED",
      "DOMCONTENTLOADED",
      "DOMFOCUSIN",
      "DOMFOCUSOUT",
      "DOMNODEINSERTEDINTODOCUMENT",
      "DOMNODEINSERTED",
      "DOMNODEREMOVEDFROMDOCUMENT",
      "DOMNODEREMOVED",
      "DOMSUBTREEMODIFIED",
      "DOWNLOADING",
      "DRAGEND",
      "DRAGENTER",
      "DRAGLEAVE",
      "DRAGOVER",
      "DRAGSTART",
      "DRAG",
      "DROP",
      "DURATIONCHANGE",
      "EMPTIED",
      "ENCRYPTED",
      "ENDED",
      "ENDEVENT",
      "END",
      "ENTERPICTUREINPICTURE",
      "ENTER",
      "ERROR",
      "EXIT",
      "FETCH",
      "FINISH",
      "FOCUSIN",
      "FOCUSOUT",
      "FOCUS",
      "FORMCHANGE",
      "FORMINPUT",
      "GAMEPADCONNECTED",
      "GAMEPADDISCONNECTED",
      "GESTURECHANGE",
      "GESTUREEND",
      "GESTURESCROLLEND",
      "GESTURESCROLLSTART",
      "GESTURESCROLLUPDATE",
      "GESTURESTART",
      "GESTURETAPDOWN",
      "GESTURETAP",
      "GOTPOINTERCAPTURE",
      "HASHCHANGE",
      "ICECANDIDATEERROR",
      "ICECANDIDATE",
      "ICECONNECTIONSTATECHANGE",
      "ICEGATHERINGSTATECHANGE",
      "INACTIVE",
      "INPUTSOURCESCHANGE",
      "INPUT",
      "INSTALL",
      "INVALID",
      "KEYDOWN",
      "KEYPRESS",
      "KEYSTATUSESCHANGE",
      "KEYUP",
      "LANGUAGECHANGE",
      "LEAVEPICTUREINPICTURE",
      "LEVELCHANGE",
      "LOADEDDATA",
      "LOADEDMETADATA",
      "LOADEND",
      "LOADINGDONE",
      "LOADINGERROR",
      "LOADING",
      "LOADSTART",
      "LOAD",
      "LOSTPOINTERCAPTURE",
      "MARK",
      "MERCHANTVALIDATION",
      "MESSAGEERROR",
      "MESSAGE",
      "MOUSEDOWN",
      "MOUSEENTER",
      "MOUSELEAVE",
      "MOUSEMOVE",
      "MOUSEOUT",
      "MOUSEOVER",
      "MOUSEUP",
      "MOUSEWHEEL",
      "MUTE",
      "NEGOTIATIONNEEDED",
      "NEXTTRACK",
      "NOMATCH",
      "NOUPDATE",
      "OBSOLETE",
      "OFFLINE",
      "ONLINE",
      "OPEN",
      "ORIENTATIONCHANGE",
      "OVERCONSTRAINED",
      "OVERFLOWCHANGED",
      "PAGEHIDE",
      "PAGESHOW",
      "PASTE",
      "PAUSE",
      "PAYERDETAILCHANGE",
      "PAYMENTAUTHORIZED",
      "PAYMENTMETHODCHANGE",
      "PAYMENTMETHODSELECTED",
      "PLAYING",
      "PLAY",
      "POINTERCANCEL",
      "POINTERDOWN",
      "POINTERENTER",
      "POINTERLEAVE",
      "POINTERLOCKCHANGE",
      "POINTERLOCKERROR",
      "POINTERMOVE",
      "POINTEROUT",
      "POINTEROVER",
      "POINTERUP",
      "POPSTATE",
      "PREVIOUSTRACK",
      "PROCESSORERROR",
      "PROGRESS",
      "PROPERTYCHANGE",
      "RATECHANGE",
      "READYSTATECHANGE",
      "REJECTIONHANDLED",
      "REMOVESOURCEBUFFER",
      "REMOVESTREAM",
      "REMOVETRACK",
      "REMOVE",
      "RESET",
      "RESIZE",
      "RESOURCETIMINGBUFFERFULL",
      "RESULT",
      "RESUME",
      "SCROLL",
      "SEARCH",
      "SECURITYPOLICYVIOLATION",
      "SEEKED",
      "SEEKING",
      "SELECTEND",
      "SELECTIONCHANGE",
      "SELECTSTART",
      "SELECT",
      "SHIPPINGADDRESSCHANGE",
      "SHIPPINGCONTACTSELECTED",
      "SHIPPINGMETHODSELECTED",
      "SHIPPINGOPTIONCHANGE",
      "SHOW",
      "SIGNALINGSTATECHANGE",
      "SLOTCHANGE",
      "SOUNDEND",
      "SOUNDSTART",
      "SOURCECLOSE",
      "SOURCEENDED",
      "SOURCEOPEN",
      "SPEECHEND",
      "SPEECHSTART",
      "SQUEEZEEND",
      "SQUEEZESTART",
      "SQUEEZE",
      "STALLED",
      "STARTED",
      "START",
      "STATECHANGE",
      "STOP",
      "STORAGE",
      "SUBMIT",
      "SUCCESS",
      "SUSPEND",
      "TEXTINPUT",
      "TIMEOUT",
      "TIMEUPDATE",
      "TOGGLE",
      "TOGGLE",
      "TONECHANGE",
      "TOUCHCANCEL",
      "TOUCHEND",
      "TOUCHFORCECHANGE",
      "TOUCHMOVE",
      "TOUCHSTART",
      "TRACK",
      "TRANSITIONCANCEL",
      "TRANSITIONEND",
      "TRANSITIONRUN",
      "TRANSITIONSTART",
      "UNCAPTUREDERROR",
      "UNHANDLEDREJECTION",
      "UNLOAD",
      "UNMUTE",
      "UPDATEEND",
      "UPDATEFOUND",
      "UPDATEREADY",
      "UPDATESTART",
      "UPDATE",
      "UPGRADENEEDED",
      "VALIDATEMERCHANT",
      "VERSIONCHANGE",
      "VISIBILITYCHANGE",
      "VOLUMECHANGE",
      "WAITINGFORKEY",
      "WAITING",
      "WEBGLCONTEXTCHANGED",
      "WEBGLCONTEXTCREATIONERROR",
      "WEBGLCONTEXTLOST",
      "WEBGLCONTEXTRESTORED",
      "WEBKITANIMATIONEND",
      "WEBKITANIMATIONITERATION",
      "WEBKITANIMATIONSTART",
      "WEBKITBEFORETEXTINSERTED",
      "WEBKITBEGINFULLSCREEN",
      "WEBKITCURRENTPLAYBACKTARGETISWIRELESSCHANGED",
      "WEBKITENDFULLSCREEN",
      "WEBKITFULLSCREENCHANGE",
      "WEBKITFULLSCREENERROR",
      "WEBKITKEYADDED",
      "WEBKITKEYERROR",
      "WEBKITKEYMESSAGE",
      "WEBKITMOUSEFORCECHANGED",
      "WEBKITMOUSEFORCEDOWN",
      "WEBKITMOUSEFORCEUP",
      "WEBKITMOUSEFORCEWILLBEGIN",
      "WEBKITNEEDKEY",
      "WEBKITNETWORKINFOCHANGE",
      "WEBKITPLAYBACKTARGETAVAILABILITYCHANGED",
      "WEBKITPRESENTATIONMODECHANGED",
      "WEBKITREGIONOVERSETCHANGE",
      "WEBKITREMOVESOURCEBUFFER",
      "WEBKITSOURCECLOSE",
      "WEBKITSOURCEENDED",
      "WEBKITSOURCEOPEN",
      "WEBKITSPEECHCHANGE",
      "WEBKITTRANSITIONEND",
      "WEBKITWILLREVEALBOTTOM",
      "WEBKITWILLREVEALLEFT",
      "WEBKITWILLREVEALRIGHT",
      "WEBKITWILLREVEALTOP",
      "WHEEL",
      "WRITEEND",
      "WRITESTART",
      "WRITE",
      "ZOOM"
  };

  private static final String[][] BLACK_ATTRS = {
      {"ACTION", "ATTR_URL"}, {"ATTRIBUTENAME", "ATTR_INDIRECT"}, {"BY", "ATTR_URL"},
      {"BACKGROUND", "ATTR_URL"}, {"DATAFORMATAS", "BLACK"}, {"DATASRC", "BLACK"},
      {"DYNSRC", "ATTR_URL"}, {"FILTER", "STYLE"}, {"FORMACTION", "ATTR_URL"},
      {"FOLDER", "ATTR_URL"}, {"FROM", "ATTR_URL"}, {"HANDLER", "ATTR_URL"}, {"HREF", "ATTR_URL"},
      {"LOWSRC", "ATTR_URL"}, {"POSTER", "ATTR_URL"}, {"SRC", "ATTR_URL"}, {"STYLE", "STYLE"},
      {"TO", "ATTR_URL"}, {"VALUES", "ATTR_URL"}, {"XLINK:HREF", "ATTR_URL"}
  };

  private static final String[] BLACK_TAGS = {
      "APPLET", "BASE", "COMMENT", "EMBED", "FRAME", "FRAMESET", "HANDLER", "IFRAME", "IMPORT",
      "ISINDEX", "LINK", "LISTENER", "META", "NOSCRIPT", "OBJECT", "SCRIPT", "STYLE", "VMLFRAME",
      "XML", "XSS"
  };

  // html5 token types
  static final int DATA_TEXT = 0;
  static final int TAG_NAME_OPEN = 1;
  static final int TAG_NAME_CLOSE = 2;
  static final int TAG_NAME_SELFCLOSE = 3;
  static final int TAG_DATA = 4;
  static final int TAG_CLOSE = 5;
  static final int ATTR_NAME = 6;
  static final int ATTR_VALUE = 7;
  static final int TAG_COMMENT = 8;
  static final int DOCTYPE = 9;

  // start contexts (html5_flags)
  static final int DATA_STATE = 0;
  static final int VALUE_NO_QUOTE = 1;
  static final int VALUE_SINGLE_QUOTE = 2;
  static final int VALUE_DOUBLE_QUOTE = 3;
  static final int VALUE_BACK_QUOTE = 4;

  /** Whether {@code input} (one char per byte) is cross-site scripting in any HTML context. */
  public static boolean isXss(String input) {
    return isXss(input, DATA_STATE) || isXss(input, VALUE_NO_QUOTE) || isXss(input, VALUE_SINGLE_QUOTE)
        || isXss(input, VALUE_DOUBLE_QUOTE) || isXss(input, VALUE_BACK_QUOTE);
  }

  static boolean isXss(String s, int flags) {
    Html5 h5 = new Html5(s, flags);
    AttrType attr = AttrType.NONE;
    while (h5.next()) {
      if (h5.tokenType != ATTR_VALUE) {
        attr = AttrType.NONE;
      }
      if (h5.tokenType == DOCTYPE) {
        return true;
      } else if (h5.tokenType == TAG_NAME_OPEN) {
        if (isBlackTag(s, h5.tokenStart, h5.tokenLen)) {
          return true;
        }
      } else if (h5.tokenType == ATTR_NAME) {
        attr = blackAttr(s, h5.tokenStart, h5.tokenLen);
      } else if (h5.tokenType == ATTR_VALUE) {
        switch (attr) {
          case BLACK, STYLE -> {
            return true;
          }
          case ATTR_URL -> {
            if (isBlackUrl(s, h5.tokenStart, h5.tokenLen)) {
              return true;
            }
          }
          case ATTR_INDIRECT -> {
            if (blackAttr(s, h5.tokenStart, h5.tokenLen) != AttrType.NONE) {
              return true;
            }
          }
          default -> { }
        }
        attr = AttrType.NONE;
      } else if (h5.tokenType == TAG_COMMENT) {
        int st = h5.tokenStart;
        int len = h5.tokenLen;
        if (s.indexOf('`', st) >= 0 && s.indexOf('`', st) < st + len) {
          return true;
        }
        if (len > 3) {
          char c0 = s.charAt(st);
          char c1 = s.charAt(st + 1);
          char c2 = s.charAt(st + 2);
          if (c0 == '[' && (c1 == 'i' || c1 == 'I') && (c2 == 'f' || c2 == 'F')) {
            return true;
          }
          if ((c0 == 'x' || c0 == 'X') && (c1 == 'm' || c1 == 'M') && (c2 == 'l' || c2 == 'L')) {
            return true;
          }
        }
        if (len > 5) {
          if (equalsWithNull("IMPORT", s, st, 6) || equalsWithNull("ENTITY", s, st, 6)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * libinjection's cstrcasecmp_with_null: {@code word} (upper case) equals s[from, from+n)
   * ignoring ASCII case and skipping NUL bytes in s.
   */
  static boolean equalsWithNull(String word, String s, int from, int n) {
    int ai = 0;
    for (int i = 0; i < n; i++) {
      char cb = s.charAt(from + i);
      if (cb == 0) {
        continue;
      }
      if (ai >= word.length()) {
        return false;
      }
      char ca = word.charAt(ai++);
      if (cb >= 'a' && cb <= 'z') {
        cb -= 0x20;
      }
      if (ca != cb) {
        return false;
      }
    }
    return ai == word.length();
  }

  static boolean isBlackTag(String s, int from, int len) {
    if (len < 3) {
      return false;
    }
    for (String tag : BLACK_TAGS) {
      if (equalsWithNull(tag, s, from, len)) {
        return true;
      }
    }
    char c0 = s.charAt(from);
    char c1 = s.charAt(from + 1);
    char c2 = s.charAt(from + 2);
    if ((c0 == 's' || c0 == 'S') && (c1 == 'v' || c1 == 'V') && (c2 == 'g' || c2 == 'G')) {
      return true;
    }
    return (c0 == 'x' || c0 == 'X') && (c1 == 's' || c1 == 'S') && (c2 == 'l' || c2 == 'L');
  }

  static AttrType blackAttr(String s, int from, int len) {
    if (len < 2) {
      return AttrType.NONE;
    }
    if (len >= 5) {
      char c0 = s.charAt(from);
      char c1 = s.charAt(from + 1);
      if ((c0 == 'o' || c0 == 'O') && (c1 == 'n' || c1 == 'N')) {
        // as in C: compares strlen(name) chars from the third one on (may read past the token)
        for (String e : EVENTS) {
          if (from + 2 + e.length() <= s.length() && equalsWithNull(e, s, from + 2, e.length())) {
            return AttrType.BLACK;
          }
        }
      }
      if (equalsWithNull("XMLNS", s, from, 5) || equalsWithNull("XLINK", s, from, 5)) {
        return AttrType.BLACK;
      }
    }
    for (String[] a : BLACK_ATTRS) {
      if (equalsWithNull(a[0], s, from, len)) {
        return AttrType.valueOf(a[1]);
      }
    }
    return AttrType.NONE;
  }

  static boolean isBlackUrl(String s, int from, int len) {
    while (len > 0 && ((byte) s.charAt(from) <= 32 || s.charAt(from) >= 127)) {
      from++;
      len--;
    }
    return htmlEncodeStartsWith("DATA", s, from, len) || htmlEncodeStartsWith("VIEW-SOURCE", s, from, len)
        || htmlEncodeStartsWith("JAVA", s, from, len) || htmlEncodeStartsWith("VBSCRIPT", s, from, len);
  }

  /** The char at s[from] with an HTML numeric entity there decoded; {@code consumed[0]} gets its length. */
  static int htmlDecodeCharAt(String s, int from, int len, int[] consumed) {
    if (len == 0) {
      consumed[0] = 0;
      return -1;
    }
    consumed[0] = 1;
    char first = s.charAt(from);
    if (first != '&' || len < 2) {
      return first & 0xff;
    }
    if (s.charAt(from + 1) != '#') {
      return '&';
    }
    int i;
    int val;
    char c2 = charOr0(s, from + 2, from + len);
    if (c2 == 'x' || c2 == 'X') {
      int ch = hex(charOr0(s, from + 3, from + len));
      if (ch == 256) {
        return '&';
      }
      val = ch;
      i = 4;
      while (i < len) {
        char c = s.charAt(from + i);
        if (c == ';') {
          consumed[0] = i + 1;
          return val;
        }
        ch = hex(c);
        if (ch == 256) {
          consumed[0] = i;
          return val;
        }
        val = val * 16 + ch;
        if (val > 0x1000FF) {
          return '&';
        }
        ++i;
      }
      consumed[0] = i;
      return val;
    }
    i = 2;
    char c = charOr0(s, from + i, from + len);
    if (c < '0' || c > '9') {
      return '&';
    }
    val = c - '0';
    i += 1;
    while (i < len) {
      c = s.charAt(from + i);
      if (c == ';') {
        consumed[0] = i + 1;
        return val;
      }
      if (c < '0' || c > '9') {
        consumed[0] = i;
        return val;
      }
      val = val * 10 + (c - '0');
      if (val > 0x1000FF) {
        return '&';
      }
      ++i;
    }
    consumed[0] = i;
    return val;
  }

  private static char charOr0(String s, int i, int end) {
    return i < s.length() ? s.charAt(i) : 0;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return 256;
  }

  static boolean htmlEncodeStartsWith(String prefix, String s, int from, int n) {
    int[] consumed = new int[1];
    int ai = 0;
    boolean first = true;
    while (n > 0) {
      if (ai == prefix.length()) {
        return true;
      }
      int cb = htmlDecodeCharAt(s, from, n, consumed);
      from += consumed[0];
      n -= consumed[0];
      if (first && cb <= 32) {
        continue;
      }
      first = false;
      if (cb == 0 || cb == 10) {
        continue;
      }
      if (cb >= 'a' && cb <= 'z') {
        cb -= 0x20;
      }
      if (prefix.charAt(ai) != (char) (cb & 0xff)) {
        return false;
      }
      ai++;
    }
    return ai == prefix.length();
  }

  /** libinjection's HTML5 tokenizer: a state machine over the input, one token per {@link #next}. */
  static final class Html5 {
    private static final int EOF = -1;
    private enum St {
      EOF, DATA, TAG_OPEN, TAG_NAME, TAG_NAME_CLOSE, END_TAG_OPEN, SELF_CLOSING_START_TAG,
      ATTRIBUTE_NAME, AFTER_ATTRIBUTE_NAME, BEFORE_ATTRIBUTE_NAME, BEFORE_ATTRIBUTE_VALUE,
      VALUE_DOUBLE_QUOTE, VALUE_SINGLE_QUOTE, VALUE_BACK_QUOTE, VALUE_NO_QUOTE,
      AFTER_ATTRIBUTE_VALUE_QUOTED, COMMENT, CDATA, BOGUS_COMMENT, BOGUS_COMMENT2,
      MARKUP_DECLARATION_OPEN, DOCTYPE
    }

    final String s;
    final int len;
    int pos;
    boolean isClose;
    St state;
    int tokenStart;
    int tokenLen;
    int tokenType;

    Html5(String s, int flags) {
      this.s = s;
      this.len = s.length();
      this.state = switch (flags) {
        case VALUE_NO_QUOTE -> St.BEFORE_ATTRIBUTE_NAME;
        case VALUE_SINGLE_QUOTE -> St.VALUE_SINGLE_QUOTE;
        case VALUE_DOUBLE_QUOTE -> St.VALUE_DOUBLE_QUOTE;
        case VALUE_BACK_QUOTE -> St.VALUE_BACK_QUOTE;
        default -> St.DATA;
      };
    }

    boolean next() {
      return run(state);
    }

    private boolean run(St st) {
      return switch (st) {
        case EOF -> false;
        case DATA -> data();
        case TAG_OPEN -> tagOpen();
        case TAG_NAME -> tagName();
        case TAG_NAME_CLOSE -> tagNameClose();
        case END_TAG_OPEN -> endTagOpen();
        case SELF_CLOSING_START_TAG -> selfClosingStartTag();
        case ATTRIBUTE_NAME -> attributeName();
        case AFTER_ATTRIBUTE_NAME -> afterAttributeName();
        case BEFORE_ATTRIBUTE_NAME -> beforeAttributeName();
        case BEFORE_ATTRIBUTE_VALUE -> beforeAttributeValue();
        case VALUE_DOUBLE_QUOTE -> valueQuote('"');
        case VALUE_SINGLE_QUOTE -> valueQuote('\'');
        case VALUE_BACK_QUOTE -> valueQuote('`');
        case VALUE_NO_QUOTE -> valueNoQuote();
        case AFTER_ATTRIBUTE_VALUE_QUOTED -> afterAttributeValueQuoted();
        case COMMENT -> comment();
        case CDATA -> cdata();
        case BOGUS_COMMENT -> bogusComment();
        case BOGUS_COMMENT2 -> bogusComment2();
        case MARKUP_DECLARATION_OPEN -> markupDeclarationOpen();
        case DOCTYPE -> doctype();
      };
    }

    private static boolean isWhite(char ch) {
      return ch == ' ' || ch == '\t' || ch == '\n' || ch == 11 || ch == '\f' || ch == '\r' || ch == 0;
    }

    private int skipWhite() {
      while (pos < len) {
        char ch = s.charAt(pos);
        switch (ch) {
          case 0x00, 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D -> pos += 1;
          default -> {
            return ch;
          }
        }
      }
      return EOF;
    }

    private int indexOf(char c, int from) {
      for (int i = from; i < len; i++) {
        if (s.charAt(i) == c) {
          return i;
        }
      }
      return -1;
    }

    private boolean data() {
      int idx = indexOf('<', pos);
      if (idx < 0) {
        tokenStart = pos;
        tokenLen = len - pos;
        tokenType = DATA_TEXT;
        state = St.EOF;
        return tokenLen != 0;
      }
      tokenStart = pos;
      tokenType = DATA_TEXT;
      tokenLen = idx - pos;
      pos = idx + 1;
      state = St.TAG_OPEN;
      if (tokenLen == 0) {
        return tagOpen();
      }
      return true;
    }

    private boolean tagOpen() {
      if (pos >= len) {
        return false;
      }
      char ch = s.charAt(pos);
      if (ch == '!') {
        pos += 1;
        return markupDeclarationOpen();
      } else if (ch == '/') {
        pos += 1;
        isClose = true;
        return endTagOpen();
      } else if (ch == '?') {
        pos += 1;
        return bogusComment();
      } else if (ch == '%') {
        pos += 1;
        return bogusComment2();
      } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == 0) {
        return tagName();
      }
      if (pos == 0) {
        return data();
      }
      tokenStart = pos - 1;
      tokenLen = 1;
      tokenType = DATA_TEXT;
      state = St.DATA;
      return true;
    }

    private boolean endTagOpen() {
      if (pos >= len) {
        return false;
      }
      char ch = s.charAt(pos);
      if (ch == '>') {
        return data();
      } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
        return tagName();
      }
      isClose = false;
      return bogusComment();
    }

    private boolean tagNameClose() {
      isClose = false;
      tokenStart = pos;
      tokenLen = 1;
      tokenType = TAG_NAME_CLOSE;
      pos += 1;
      state = pos < len ? St.DATA : St.EOF;
      return true;
    }

    private boolean tagName() {
      int p = pos;
      while (p < len) {
        char ch = s.charAt(p);
        if (ch == 0) {
          p += 1;
        } else if (isWhite(ch)) {
          tokenStart = pos;
          tokenLen = p - pos;
          tokenType = TAG_NAME_OPEN;
          pos = p + 1;
          state = St.BEFORE_ATTRIBUTE_NAME;
          return true;
        } else if (ch == '/') {
          tokenStart = pos;
          tokenLen = p - pos;
          tokenType = TAG_NAME_OPEN;
          pos = p + 1;
          state = St.SELF_CLOSING_START_TAG;
          return true;
        } else if (ch == '>') {
          tokenStart = pos;
          tokenLen = p - pos;
          if (isClose) {
            pos = p + 1;
            isClose = false;
            tokenType = TAG_CLOSE;
            state = St.DATA;
          } else {
            pos = p;
            tokenType = TAG_NAME_OPEN;
            state = St.TAG_NAME_CLOSE;
          }
          return true;
        } else {
          p += 1;
        }
      }
      tokenStart = pos;
      tokenLen = len - pos;
      tokenType = TAG_NAME_OPEN;
      state = St.EOF;
      return true;
    }

    private boolean beforeAttributeName() {
      while (true) {
        int ch = skipWhite();
        switch (ch) {
          case EOF -> {
            return false;
          }
          case '/' -> {
            pos += 1;
            if (pos < len && s.charAt(pos) != '>') {
              continue;
            }
            return selfClosingStartTag();
          }
          case '>' -> {
            state = St.DATA;
            tokenStart = pos;
            tokenLen = 1;
            tokenType = TAG_NAME_CLOSE;
            pos += 1;
            return true;
          }
          default -> {
            return attributeName();
          }
        }
      }
    }

    private boolean attributeName() {
      int p = pos + 1;
      while (p < len) {
        char ch = s.charAt(p);
        if (isWhite(ch)) {
          token(ATTR_NAME, pos, p - pos);
          state = St.AFTER_ATTRIBUTE_NAME;
          pos = p + 1;
          return true;
        } else if (ch == '/') {
          token(ATTR_NAME, pos, p - pos);
          state = St.SELF_CLOSING_START_TAG;
          pos = p + 1;
          return true;
        } else if (ch == '=') {
          token(ATTR_NAME, pos, p - pos);
          state = St.BEFORE_ATTRIBUTE_VALUE;
          pos = p + 1;
          return true;
        } else if (ch == '>') {
          token(ATTR_NAME, pos, p - pos);
          state = St.TAG_NAME_CLOSE;
          pos = p;
          return true;
        } else {
          p += 1;
        }
      }
      token(ATTR_NAME, pos, len - pos);
      state = St.EOF;
      pos = len;
      return true;
    }

    private void token(int type, int start, int length) {
      tokenType = type;
      tokenStart = start;
      tokenLen = length;
    }

    private boolean afterAttributeName() {
      int c = skipWhite();
      switch (c) {
        case EOF -> {
          return false;
        }
        case '/' -> {
          pos += 1;
          return selfClosingStartTag();
        }
        case '=' -> {
          pos += 1;
          return beforeAttributeValue();
        }
        case '>' -> {
          return tagNameClose();
        }
        default -> {
          return attributeName();
        }
      }
    }

    private boolean beforeAttributeValue() {
      int c = skipWhite();
      if (c == EOF) {
        state = St.EOF;
        return false;
      }
      if (c == '"') {
        return valueQuote('"');
      } else if (c == '\'') {
        return valueQuote('\'');
      } else if (c == '`') {
        return valueQuote('`');
      }
      return valueNoQuote();
    }

    private boolean valueQuote(char q) {
      if (pos > 0) {
        pos += 1;
      }
      int idx = indexOf(q, pos);
      if (idx < 0) {
        token(ATTR_VALUE, pos, len - pos);
        state = St.EOF;
      } else {
        token(ATTR_VALUE, pos, idx - pos);
        state = St.AFTER_ATTRIBUTE_VALUE_QUOTED;
        pos += tokenLen + 1;
      }
      return true;
    }

    private boolean valueNoQuote() {
      int p = pos;
      while (p < len) {
        char ch = s.charAt(p);
        if (isWhite(ch)) {
          token(ATTR_VALUE, pos, p - pos);
          pos = p + 1;
          state = St.BEFORE_ATTRIBUTE_NAME;
          return true;
        } else if (ch == '>') {
          token(ATTR_VALUE, pos, p - pos);
          pos = p;
          state = St.TAG_NAME_CLOSE;
          return true;
        }
        p += 1;
      }
      state = St.EOF;
      token(ATTR_VALUE, pos, len - pos);
      return true;
    }

    private boolean afterAttributeValueQuoted() {
      if (pos >= len) {
        return false;
      }
      char ch = s.charAt(pos);
      if (isWhite(ch)) {
        pos += 1;
        return beforeAttributeName();
      } else if (ch == '/') {
        pos += 1;
        return selfClosingStartTag();
      } else if (ch == '>') {
        token(TAG_NAME_CLOSE, pos, 1);
        pos += 1;
        state = St.DATA;
        return true;
      }
      return beforeAttributeName();
    }

    private boolean selfClosingStartTag() {
      if (pos >= len) {
        return false;
      }
      if (s.charAt(pos) == '>') {
        token(TAG_NAME_SELFCLOSE, pos - 1, 2);
        state = St.DATA;
        pos += 1;
        return true;
      }
      return beforeAttributeName();
    }

    private boolean bogusComment() {
      int idx = indexOf('>', pos);
      if (idx < 0) {
        tokenStart = pos;
        tokenLen = len - pos;
        pos = len;
        state = St.EOF;
      } else {
        tokenStart = pos;
        tokenLen = idx - pos;
        pos = idx + 1;
        state = St.DATA;
      }
      tokenType = TAG_COMMENT;
      return true;
    }

    private boolean bogusComment2() {
      int p = pos;
      while (true) {
        int idx = indexOf('%', p);
        if (idx < 0 || idx + 1 >= len) {
          token(TAG_COMMENT, pos, len - pos);
          pos = len;
          state = St.EOF;
          return true;
        }
        if (s.charAt(idx + 1) != '>') {
          p = idx + 1;
          continue;
        }
        token(TAG_COMMENT, pos, idx - pos);
        pos = idx + 2;
        state = St.DATA;
        return true;
      }
    }

    private boolean markupDeclarationOpen() {
      int remaining = len - pos;
      if (remaining >= 7 && s.regionMatches(true, pos, "DOCTYPE", 0, 7) && asciiOnly(pos, 7)) {
        return doctype();
      } else if (remaining >= 7 && s.startsWith("[CDATA[", pos)) {
        pos += 7;
        return cdata();
      } else if (remaining >= 2 && s.charAt(pos) == '-' && s.charAt(pos + 1) == '-') {
        pos += 2;
        return comment();
      }
      return bogusComment();
    }

    private boolean asciiOnly(int from, int n) {
      for (int i = from; i < from + n; i++) {
        if (s.charAt(i) > 127) {
          return false;
        }
      }
      return true;
    }

    private boolean comment() {
      int p = pos;
      while (true) {
        int idx = indexOf('-', p);
        if (idx < 0 || idx > len - 3) {
          state = St.EOF;
          token(TAG_COMMENT, pos, len - pos);
          return true;
        }
        int offset = 1;
        while (idx + offset < len && s.charAt(idx + offset) == 0) {
          offset += 1;
        }
        if (idx + offset == len) {
          state = St.EOF;
          token(TAG_COMMENT, pos, len - pos);
          return true;
        }
        char ch = s.charAt(idx + offset);
        if (ch != '-' && ch != '!') {
          p = idx + 1;
          continue;
        }
        offset += 1;
        if (idx + offset == len) {
          state = St.EOF;
          token(TAG_COMMENT, pos, len - pos);
          return true;
        }
        ch = s.charAt(idx + offset);
        if (ch != '>') {
          p = idx + 1;
          continue;
        }
        offset += 1;
        token(TAG_COMMENT, pos, idx - pos);
        pos = idx + offset;
        state = St.DATA;
        return true;
      }
    }

    private boolean cdata() {
      int p = pos;
      while (true) {
        int idx = indexOf(']', p);
        if (idx < 0 || idx > len - 3) {
          state = St.EOF;
          token(DATA_TEXT, pos, len - pos);
          return true;
        } else if (s.charAt(idx + 1) == ']' && s.charAt(idx + 2) == '>') {
          state = St.DATA;
          token(DATA_TEXT, pos, idx - pos);
          pos = idx + 3;
          return true;
        } else {
          p = idx + 1;
        }
      }
    }

    private boolean doctype() {
      tokenStart = pos;
      tokenType = DOCTYPE;
      int idx = indexOf('>', pos);
      if (idx < 0) {
        state = St.EOF;
        tokenLen = len - pos;
      } else {
        state = St.DATA;
        tokenLen = idx - pos;
        pos = idx + 1;
      }
      return true;
    }
  }
}
