package io.portcullis.waf.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Case-insensitive multi-phrase search ({@code @pm}, {@code @pmFromFile}): one pass over the input
 * whatever the number of phrases. The automaton works on byte-sized chars (the engine's strings
 * are ISO-8859-1) with a dense transition table, built once at load.
 */
public final class AhoCorasick {
  private final int[][] next; // state -> 256 transitions (complete DFA)
  private final int[] outLength; // length of a phrase ending at the state, 0 when none

  public AhoCorasick(Collection<String> phrases) {
    List<int[]> go = new ArrayList<>();
    List<Integer> out = new ArrayList<>();
    go.add(newRow());
    out.add(0);
    for (String p : phrases) {
      if (p.isEmpty()) {
        continue;
      }
      int state = 0;
      for (int i = 0; i < p.length(); i++) {
        int c = fold(p.charAt(i));
        if (go.get(state)[c] < 0) {
          go.get(state)[c] = go.size();
          go.add(newRow());
          out.add(0);
        }
        state = go.get(state)[c];
      }
      out.set(state, p.length());
    }
    int[] fail = new int[go.size()];
    int[] outLen = new int[go.size()];
    for (int i = 0; i < outLen.length; i++) {
      outLen[i] = out.get(i);
    }
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    int[] root = go.get(0);
    for (int c = 0; c < 256; c++) {
      if (root[c] < 0) {
        root[c] = 0;
      } else {
        fail[root[c]] = 0;
        queue.add(root[c]);
      }
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      if (outLen[s] == 0) {
        outLen[s] = outLen[fail[s]];
      }
      int[] row = go.get(s);
      for (int c = 0; c < 256; c++) {
        int t = row[c];
        if (t < 0) {
          row[c] = go.get(fail[s])[c];
        } else {
          fail[t] = go.get(fail[s])[c];
          queue.add(t);
        }
      }
    }
    this.next = go.toArray(new int[0][]);
    this.outLength = outLen;
  }

  private static int[] newRow() {
    int[] row = new int[256];
    Arrays.fill(row, -1);
    return row;
  }

  private static int fold(char c) {
    int b = c & 0xff;
    return (b >= 'A' && b <= 'Z') ? b + 32 : b;
  }

  /** The first phrase found in {@code s}, or null. */
  public String find(String s) {
    int state = 0;
    for (int i = 0; i < s.length(); i++) {
      state = next[state][fold(s.charAt(i))];
      if (outLength[state] > 0) {
        return s.substring(i + 1 - outLength[state], i + 1);
      }
    }
    return null;
  }
}
