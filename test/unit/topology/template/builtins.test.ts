/** Go's predefined template functions, with results derived from text/template's and
 * fmt's documentation. */
import { describe, expect, it } from 'vitest';
import { render, renderError } from './helper.js';

const cases = (rows: [string, string][]) => it.each(rows)('%s', (tpl, want) => expect(render(tpl)).toBe(want));

describe('and, or, not (short-circuit as in Go 1.18+)', () => {
  cases([
    ['{{ and 1 0 2 }}', '0'],
    ['{{ and 1 2 }}', '2'],
    ['{{ or 0 "" "x" }}', 'x'],
    ['{{ or 0 "" }}', ''],
    ['{{ or 1 (index .list 10) }}', '1'], // index would fail: never evaluated
    ['{{ and 0 (index .list 10) }}', '0'],
    ['{{ and 1 .missing }}', '<no value>'],
    ['{{ .n | and 1 }}', '3'],
    ['{{ not 0 }}', 'true'],
    ['{{ not .list }}', 'false'],
    ['{{ not .missing }}', 'true'],
  ]);
});

describe('len, index, slice', () => {
  cases([
    ['{{ len .list }}', '3'],
    ['{{ len .m }}', '3'],
    ['{{ len "héllo" }}', '6'], // bytes, as Go counts
    ['{{ index .list 1 }}', 'b'],
    ['{{ index .m "b" }}', '2'],
    ['{{ index .m "zz" }}', '<no value>'],
    ['{{ index .nested "x" "z" }}', 'deep'],
    ['{{ index "abc" 1 }}', '98'],
    ['{{ index .ints 10 }}', 'ten'],
    ['{{ index .list }}', '[a b c]'],
    ['{{ slice .list 1 }}', '[b c]'],
    ['{{ slice .list 1 2 }}', '[b]'],
    ['{{ slice .list }}', '[a b c]'],
    ['{{ slice "hello" 1 3 }}', 'el'],
  ]);

  it.each([
    ['{{ len .missing }}', /error calling len: reflect: call of reflect\.Value\.Type on zero Value/],
    ['{{ len 3 }}', /error calling len: len of type int/],
    ['{{ index .list 5 }}', /error calling index: index out of range: 5/],
    ['{{ index .list "a" }}', /cannot index slice\/array with type string/],
    ['{{ index .missing 1 }}', /index of untyped nil/],
    ['{{ index 3 1 }}', /can't index item of type int/],
    ['{{ slice .list 2 1 }}', /invalid slice index: 2 > 1/],
    ['{{ slice "abc" 0 1 2 }}', /cannot 3-index slice a string/],
    ['{{ slice 3 1 }}', /can't slice item of type int/],
  ])('%s fails', (tpl, want) => {
    expect(renderError(tpl).message).toMatch(want);
  });
});

describe('print, println, printf', () => {
  cases([
    ['{{ print 1 2 "a" "b" 3 }}', '1 2ab3'], // spaces only between two non-strings
    ['{{ print .missing }}', '<nil>'],
    ['{{ print nil }}', '<nil>'],
    ['{{ print .list .m }}', '[a b c] map[a:1 b:2 c:3]'],
    ['{{ println 1 "a" }}', '1 a\n'],
    ['{{ printf "%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U" 42 42 42 42 255 255 8 5 65 65 65 }}', "42|   42|42   |00042|ff|FF|10|101|A|'A'|U+0041"],
    ['{{ printf "%s|%10s|%-10s|%q|%x|%.2s" "go" "go" "go" "go" "go" "golang" }}', 'go|        go|go        |"go"|676f|go'],
    ['{{ printf "%v|%t|%v" true false .list }}', 'true|false|[a b c]'],
    ['{{ printf "%f|%.2f|%8.3f|%e|%g|%g|%G" 3.14159 3.14159 3.14159 1234.5678 0.00001234 100000.0 1e21 }}', '3.141590|3.14|   3.142|1.234568e+03|1.234e-05|100000|1E+21'],
    ['{{ printf "%v %v %v" 2.0 0.5 1e20 }}', '2 0.5 1e+20'],
    ['{{ printf "%.0f %.0f %.0f %.1f" 0.5 1.5 2.5 0.25 }}', '0 2 2 0.2'], // round half to even on the exact value
    ['{{ printf "%.3g|%.10g|%g" 1234.5678 0.1 .f }}', '1.23e+03|0.1|2.5'],
    ['{{ printf "%5.1f%%" 99.5 }}', ' 99.5%'],
    ['{{ printf "%+d % d %+.1f" 5 5 2.0 }}', '+5  5 +2.0'],
    ['{{ printf "%#x %#o %#X" 255 8 255 }}', '0xff 010 0XFF'],
    ['{{ printf "%[2]d %[1]d" 1 2 }}', '2 1'],
    ['{{ printf "%*d|%-*d|" 4 7 3 8 }}', '   7|8  |'],
    ['{{ printf "%02d:%02d" 7 5 }}', '07:05'],
    ['{{ printf "%06.2f" -3.14159 }}', '-03.14'],
    ['{{ printf "%d" "x" }}', '%!d(string=x)'],
    ['{{ printf "%s" 5 }}', '%!s(int=5)'],
    ['{{ printf "%d %d" 1 }}', '1 %!d(MISSING)'],
    ['{{ printf "%d" 1 2 }}', '1%!(EXTRA int=2)'],
    ['{{ printf "%d" .missing }}', '%!d(<nil>)'],
    ['{{ printf "%v" .missing }}', '<nil>'],
    ['{{ printf "%T %T %T %T %T" 1 1.5 "s" .list .m }}', 'int float64 string []interface {} map[interface {}]interface {}'],
    ['{{ printf "%s" .m }}', 'map[a:%!s(int=1) b:%!s(int=2) c:%!s(int=3)]'],
    ['{{ printf "%d" .nums }}', '[3 1 2]'],
    ['{{ printf "%03d" .nums }}', '[003 001 002]'],
    ['{{ printf "%x" "héllo" }}', '68c3a96c6c6f'],
    ['{{ printf "%q" "a\\"b\\n" }}', '"a\\"b\\n"'],
    ['{{ printf "%v" .f }}', '2.5'],
    ['{{ printf "%6.2f|%-8.3e|" .f 1234.5 }}', '  2.50|1.234e+03|'],
    ['{{ printf "no verbs" }}', 'no verbs'],
    ['{{ printf "%%d" }}', '%d'],
  ]);
});

describe('html, js, urlquery', () => {
  cases([
    ['{{ html "<a href=\\"x\\">&\'" }}', '&lt;a href=&#34;x&#34;&gt;&amp;&#39;'],
    ['{{ html .missing }}', '&lt;no value&gt;'],
    ['{{ html 1 2 }}', '1 2'],
    ['{{ js "it\'s <b>\\"x\\"</b> = 1\\n" }}', "it\\'s \\u003Cb\\u003E\\\"x\\\"\\u003C/b\\u003E \\u003D 1\\u000A"],
    ['{{ js "é" }}', 'é'],
    ['{{ urlquery "a b&c=d/é" }}', 'a+b%26c%3Dd%2F%C3%A9'],
    ['{{ urlquery "safe-_.~" }}', 'safe-_.~'],
  ]);
});

describe('eq, ne, lt, le, gt, ge', () => {
  cases([
    ['{{ eq .n 1 2 3 }}', 'true'],
    ['{{ eq "a" "b" }}', 'false'],
    ['{{ eq .name "lab" }}', 'true'],
    ['{{ eq .missing "x" }}', 'false'],
    ['{{ eq .missing .missing2 }}', 'true'],
    ['{{ eq .missing nil }}', 'true'],
    ['{{ eq .flag true }}', 'true'],
    ['{{ ne 1 2 }}', 'true'],
    ['{{ ne "a" "a" }}', 'false'],
    ['{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}', 'true true true false'],
    ['{{ lt "B" "a" }}', 'true'],
    ['{{ gt .n 2 }}', 'true'],
  ]);

  it.each([
    ['{{ eq .n 3.0 }}', /error calling eq: incompatible types for comparison: int and float64/],
    ['{{ eq 1 }}', /error calling eq: missing argument for comparison/],
    ['{{ lt true false }}', /error calling lt: invalid type for comparison/],
    ['{{ lt .missing 1 }}', /error calling lt: invalid type for comparison/],
    ['{{ lt 1 "a" }}', /incompatible types for comparison: int and string/],
    ['{{ eq .list .list }}', /non-comparable type/],
    ['{{ ne 1 2 3 }}', /wrong number of args for ne: want 2 got 3/],
  ])('%s fails', (tpl, want) => {
    expect(renderError(tpl).message).toMatch(want);
  });
});

describe('call', () => {
  it('fails: template data from YAML holds no functions', () => {
    expect(renderError('{{ call .name }}').message).toMatch(/error calling call: non-function \.name of type string/);
    expect(renderError('{{ call .missing }}').message).toMatch(/error calling call: call of nil/);
  });
});

describe('argument checks', () => {
  it.each([
    ['{{ printf 1 }}', /expected string; found 1/],
    ['{{ printf .n }}', /wrong type for value; expected string; got int/],
    ['{{ printf .missing }}', /invalid value; expected string/],
    ['{{ printf nil }}', /cannot assign nil to string/],
    ['{{ not 1 2 }}', /wrong number of args for not: want 1 got 2/],
    ['{{ printf }}', /wrong number of args for printf: want at least 1 got 0/],
    ['{{ nope }}', /function "nope" not defined/],
  ])('%s fails', (tpl, want) => {
    expect(renderError(tpl).message).toMatch(want);
  });
});
