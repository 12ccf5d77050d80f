/** containerlab's template functions (utils/template.go CreateFuncs). Expected values
 * follow containerlab's own table tests (utils/template_test.go) where they exist. */
import { describe, expect, it } from 'vitest';
import { decodeVars } from '../../../../src/topology/template/index.js';
import { render, renderError, renderWith } from './helper.js';

const cases = (rows: [string, string][]) => it.each(rows)('%s', (tpl, want) => expect(render(tpl)).toBe(want));
const failures = (rows: [string, RegExp][]) => it.each(rows)('%s fails', (tpl, want) => expect(renderError(tpl).message).toMatch(want));

describe('add, subtract, mul, div, rem', () => {
  cases([
    ['{{ add 2 3 }}', '5'],
    ['{{ add 1.5 2.5 }}', '4'], // float64 4 prints as 4
    ['{{ add 1.5 2 }}', '3.5'],
    ['{{ add "10" "5" }}', '15'],
    ['{{ add "2.5" 2 }}', '4.5'],
    ['{{ add "2" 2.5 }}', '4.5'],
    ['{{ add true 2 }}', '3'],
    ['{{ add false 2 }}', '2'],
    ['{{ add -5 -3 }}', '-8'],
    ['{{ add 2147483647 1 }}', '2147483648'],
    ['{{ add "1,000" 1 }}', '1001'],
    ['{{ add 9223372036854775807 1 }}', '-9223372036854775808'], // int64 wraps
    ['{{ printf "%T %T" (add 1 2) (add 1.0 2) }}', 'int float64'],
    ['{{ subtract 10 3 }}', '7'],
    ['{{ subtract 10.5 3.2 }}', '7.3'],
    ['{{ subtract 10 3.5 }}', '6.5'],
    ['{{ subtract 3.14159 2.0 }}', '1.1415899999999999'],
    ['{{ subtract 9999999999 8888888888 }}', '1111111111'],
    ['{{ subtract "10" "3" }}', '7'],
    ['{{ mul 2 3 }}', '6'],
    ['{{ mul 1.5 2 }}', '3'],
    ['{{ mul "2.5" 2 }}', '5'],
    ['{{ mul "10" "5" }}', '50'],
    ['{{ div 10 4 }}', '2.5'],
    ['{{ div 10 2 }}', '5'],
    ['{{ div "1" "3" }}', '0.3333333333333333'],
    ['{{ rem 10 3 }}', '1'],
    ['{{ rem -7 3 }}', '-1'],
    ['{{ rem "10" 4 }}', '2'],
    ['{{ add (mul (add 2 -1) 2) 1 }}', '3'], // the templated02 arithmetic
  ]);
  failures([
    ['{{ add "foo" 2 }}', /error calling add: expected a number: could not convert "foo" to int64: strconv\.ParseFloat: parsing "foo": invalid syntax/],
    ['{{ add 2 "bar" }}', /error calling add: expected a number/],
    ['{{ add .missing 2 }}', /error calling add: expected a number: could not convert <nil> to int64/],
    ['{{ add .list 2 }}', /could not convert \[a b c\] to int64/],
    ['{{ subtract "invalid" 5 }}', /expected a number/],
    ['{{ div 1 0 }}', /error calling div: error: division by 0/],
    ['{{ rem 1 0 }}', /error calling rem: expected a number: divisor is zero/],
    ['{{ add 1 }}', /wrong number of args for add: want 2 got 1/],
  ]);
});

describe('seq', () => {
  cases([
    ['{{ seq 5 }}', '[1 2 3 4 5]'],
    ['{{ seq 2 4 }}', '[2 3 4]'],
    ['{{ seq 4 8 2 }}', '[4 6 8]'],
    ['{{ seq 8 4 2 }}', '[8 6 4]'],
    ['{{ seq 1 10 0 }}', '[]'],
    ['{{ seq -5 -1 }}', '[-5 -4 -3 -2 -1]'],
    ['{{ seq 10 1 -3 }}', '[10 7 4 1]'],
    ['{{ seq 1 10 -2 }}', '[1 3 5 7 9]'],
    ['{{ seq 10 1 2 }}', '[10 8 6 4 2]'],
    ['{{ seq 1.5 5.7 2.1 }}', '[1 3 5]'],
    ['{{ seq 5 5 1 }}', '[5]'],
    ['{{ seq 0 }}', '[1 0]'],
    ['{{ seq "3" }}', '[1 2 3]'],
    ['{{ len (seq 20) }}', '20'],
    ['{{ printf "%T" (seq 2) }}', '[]int64'],
  ]);
  failures([
    ['{{ seq }}', /error calling seq: expected 1, 2, or 3 arguments, got 0/],
    ['{{ seq 1 2 3 4 }}', /error calling seq: expected 1, 2, or 3 arguments, got 4/],
    ['{{ seq "invalid" }}', /error calling seq: expected a number/],
    ['{{ seq 1 "invalid" }}', /expected a number/],
    ['{{ seq 1 5 "invalid" }}', /expected a number/],
    ['{{ seq 1 100000000 }}', /is too long/],
  ]);
});

describe('ToJSON, ToJSONPretty', () => {
  const flat = decodeVars('b: 1\na: "x<y&z"\nf: 1.5\nl: [1, two, ~]\nt: true\n', 'flat.yml')!;
  it.each([
    ['{{ ToJSON $ }}', '{"a":"x\\u003cy\\u0026z","b":1,"f":1.5,"l":[1,"two",null],"t":true}'],
    ['{{ ToJSON .l }}', '[1,"two",null]'],
    ['{{ ToJSON .missing }}', 'null'],
    ['{{ ToJSON 1e21 }}', '1e+21'],
    ['{{ ToJSON 0.000000123 }}', '1.23e-7'],
    ['{{ ToJSON 100000000.0 }}', '100000000'],
    ['{{ ToJSON "tab\\there" }}', '"tab\\there"'],
    ['{{ ToJSON (seq 3) }}', '[1,2,3]'],
    ['{{ ToJSON (strings.Split "," "") }}', '[""]'],
    ['{{ ToJSONPretty .l ">>" "  " }}', '[\n>>  1,\n>>  "two",\n>>  null\n>>]'],
    ['{{ ToJSONPretty $ "" "\\t" }}', '{\n\t"a": "x\\u003cy\\u0026z",\n\t"b": 1,\n\t"f": 1.5,\n\t"l": [\n\t\t1,\n\t\t"two",\n\t\tnull\n\t],\n\t"t": true\n}'],
    ['{{ ToJSONPretty (seq 0 1 0) "" "  " }}', '[]'],
  ])('%s', (tpl, want) => {
    expect(renderWith(flat, tpl)).toBe(want);
  });

  it('a nested YAML map is map[interface{}]interface{}, which encoding/json refuses: containerlab prints nothing', () => {
    expect(render('[{{ ToJSON .m }}][{{ ToJSON $ }}][{{ ToJSONPretty .nested "" " " }}]')).toBe('[][][]');
  });
});

describe('strings.Split, strings.ReplaceAll', () => {
  cases([
    ['{{ strings.Split "," "a,b,c" }}', '[a b c]'],
    ['{{ strings.Split " " "hello world test" }}', '[hello world test]'],
    ['{{ len (strings.Split "," "") }}', '1'],
    ['{{ strings.Split "" "abc" }}', '[a b c]'],
    ['{{ strings.Split "," 123 }}', '[123]'],
    ['{{ index (strings.Split "||" "a||b||c") 2 }}', 'c'],
    ['{{ strings.Split "|" "abc" }}', '[abc]'],
    ['{{ printf "%T" (strings.Split "," "a") }}', '[]string'],
    ['{{ strings.ReplaceAll "def" "xyz" "abcdefghi" }}', 'abcxyzghi'],
    ['{{ strings.ReplaceAll "a" "x" "banana" }}', 'bxnxnx'],
    ['{{ strings.ReplaceAll "test" "" "testingtesttest" }}', 'ing'],
    ['{{ strings.ReplaceAll "x" "yyy" "x-x-x" }}', 'yyy-yyy-yyy'],
    ['{{ strings.ReplaceAll "1" "one" 12321 }}', 'one232one'],
    ['{{ strings.ReplaceAll "true" "yes" true }}', 'yes'],
    ['{{ strings.ReplaceAll "" "x" "test" }}', 'test'],
    ['[{{ strings.ReplaceAll "test" "x" nil }}]', '[]'],
    ['{{ strings }}', '{}'],
  ]);
  failures([
    ['{{ strings.Split 1 "a" }}', /expected string; found 1/],
    ['{{ strings.Split .n "a" }}', /wrong type for value; expected string; got int/],
    ['{{ strings.Nope "a" }}', /can't evaluate field Nope in type \*utils\.StringFuncs/],
    ['{{ strings.Split "," }}', /wrong number of args for Split: want 2 got 1/],
  ]);
});

describe('conv.Join, conv.ToInt', () => {
  cases([
    ['{{ conv.Join .list "-" }}', 'a-b-c'],
    ['{{ conv.Join (seq 4) "-" }}', '1-2-3-4'],
    ['{{ conv.Join .mixed ", " }}', '1, two, true, 4.5, nil'],
    ['{{ conv.Join .emptylist "," }}', ''],
    ['{{ conv.Join (seq 3) "<==>" }}', '1<==>2<==>3'],
    ['{{ conv.ToInt "0xFF" }}', '255'],
    ['{{ conv.ToInt "0o777" }}', '511'],
    ['{{ conv.ToInt "0b1010" }}', '10'],
    ['{{ conv.ToInt "1e5" }}', '100000'],
    ['{{ conv.ToInt 123.456 }}', '123'],
    ['{{ conv.ToInt "1,000" }}', '1000'],
    ['{{ conv.ToInt true }}', '1'],
    ['{{ printf "%T" (conv.ToInt "5") }}', 'int'],
  ]);
  failures([
    ['{{ conv.Join "not a slice" "," }}', /error calling Join: input to Join must be an array/],
    ['{{ conv.Join .missing "," }}', /input to Join must be an array/],
    ['{{ conv.ToInt "0xZZ" }}', /error calling ToInt: could not convert "0xZZ" to int64/],
    ['{{ conv.ToInt "" }}', /could not convert "" to int64/],
    ['{{ conv.ToInt .m }}', /could not convert map\[a:1 b:2 c:3\] to int64/],
  ]);
});

describe('network functions', () => {
  it('containerlab v0.79 defines none: gomplate\'s net namespace fails to parse, as in containerlab', () => {
    const e = renderError('{{ net.ParseIP "10.0.0.1" }}');
    expect(e.message).toMatch(/t\.gotmpl:1:4: function "net" not defined - containerlab's topology templates know/);
  });
});
