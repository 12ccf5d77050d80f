/** Golden renderings of every text/template construct, derived by hand from Go's
 * documented semantics (text/template package documentation, Go 1.24). */
import { describe, expect, it } from 'vitest';
import { render, renderError, renderWith } from './helper.js';

describe('actions, fields and missing keys', () => {
  it.each([
    ['plain text is copied', 'a: 1\n  b: "{ x }"\n', 'a: 1\n  b: "{ x }"\n'],
    ['a field', '{{ .name }}', 'lab'],
    ['a field chain', '{{ .nested.x.z }}', 'deep'],
    ['$ is the data', '{{ $.name }}', 'lab'],
    ['a missing key prints <no value>', '{{ .missing }}', '<no value>'],
    ['a chain through a missing key', '{{ .missing.deeper }}', '<no value>'],
    ['a YAML null prints <no value> (the nil interface is dug out)', '{{ .nothing }}', '<no value>'],
    ['an int from YAML', '{{ .n }}', '3'],
    ['a float from YAML', '{{ .f }}', '2.5'],
    ['a whole float from YAML prints without a point', '{{ .whole }}', '2'],
    ['a large float uses an exponent (%v is %g)', '{{ .big }}', '1.2345678e+07'],
    ['yes is a bool in YAML 1.1', '{{ .flag }}', 'true'],
    ['a slice', '{{ .list }}', '[a b c]'],
    ['a slice holding nil', '{{ .withnil }}', '[a <nil>]'],
    ['a map prints with sorted keys', '{{ .m }}', 'map[a:1 b:2 c:3]'],
    ['a nested map', '{{ .nested }}', 'map[x:map[z:deep]]'],
    ['int keys sort numerically', '{{ .ints }}', 'map[2:two 10:ten]'],
    ['y, n, on keys of nested maps are booleans (yaml.v2)', '{{ .yaml11keys.y }}|{{ index .yaml11keys true }}|{{ index .yaml11keys false }}|{{ .yaml11keys.k }}', '<no value>|3|2|4'],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('a field of a YAML null is a nil pointer error, as in Go', () => {
    expect(renderError('{{ .nothing.x }}').message).toMatch(/t\.gotmpl:1:12: executing "t\.gotmpl" at <\.nothing\.x>: nil pointer evaluating interface \{\}\.x/);
  });

  it('a field of a string is an error', () => {
    expect(renderError('{{ .name.x }}').message).toMatch(/can't evaluate field x in type string/);
  });

  it('nil data: every field is missing', () => {
    expect(renderWith(undefined, '{{ .a }} {{ .a.b }} {{ if .a }}y{{ else }}n{{ end }}')).toBe('<no value> <no value> n');
  });
});

describe('constants', () => {
  it.each([
    ['{{ 1 }}', '1'],
    ['{{ -5 }}', '-5'],
    ['{{ 1.0 }}', '1'],
    ['{{ 3.25 }}', '3.25'],
    ['{{ 1e3 }}', '1000'],
    ['{{ 1e6 }}', '1e+06'],
    ['{{ 0x10 }}', '16'],
    ['{{ 0o17 }}', '15'],
    ['{{ 017 }}', '15'],
    ['{{ 0b101 }}', '5'],
    ['{{ 1_000 }}', '1000'],
    ['{{ 0x1p-2 }}', '0.25'],
    ["{{ 'a' }}", '97'],
    ["{{ '\\n' }}", '10'],
    ['{{ true }}', 'true'],
    ['{{ "a\\tb\\u00e9" }}', 'a\tbé'],
    ['{{ `raw\\n` }}', 'raw\\n'],
  ])('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('nil is not a command', () => {
    expect(renderError('{{ nil }}').message).toMatch(/nil is not a command/);
  });

  it('an integer too large for int64 is a parse error', () => {
    expect(renderError('{{ 99999999999999999999 }}').message).toMatch(/integer overflow/);
  });
});

describe('variables', () => {
  it.each([
    ['declaration', '{{ $x := .n }}{{ $x }}', '3'],
    ['a declaration prints nothing', '[{{ $x := 5 }}]', '[]'],
    ['assignment reaches the outer variable', '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', '2'],
    ['a declaration inside if is scoped to it', '{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}', '21'],
    ['field chains on a variable', '{{ $m := .nested }}{{ $m.x.z }}', 'deep'],
    ['$ inside range is still the data', '{{ range .list }}{{ $.name }}-{{ . }} {{ end }}', 'lab-a lab-b lab-c '],
    ['a variable holding a missing value', '{{ $v := .missing }}{{ $v }}|{{ $v.x }}', '<no value>|<no value>'],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('an undeclared variable is a parse error', () => {
    expect(renderError('a\n  {{ $nope }}').message).toMatch(/t\.gotmpl:2:6: undefined variable "\$nope"/);
  });

  it('a variable declared in if is unknown after its end', () => {
    expect(renderError('{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}').message).toMatch(/undefined variable "\$x"/);
  });
});

describe('if / else if / else', () => {
  it.each([
    ['else if chain', '{{ if eq .n 1 }}one{{ else if eq .n 3 }}three{{ else }}other{{ end }}', 'three'],
    ['else', '{{ if .empty }}a{{ else }}b{{ end }}', 'b'],
    ['empty list is false', '{{ if .emptylist }}a{{ else }}b{{ end }}', 'b'],
    ['zero is false', '{{ if 0 }}a{{ else }}b{{ end }}', 'b'],
    ['0.0 is false', '{{ if 0.0 }}a{{ else }}b{{ end }}', 'b'],
    ['a map is true when not empty', '{{ if .m }}a{{ end }}', 'a'],
    ['a missing key is false', '{{ if .missing }}a{{ else }}b{{ end }}', 'b'],
    ['a variable declared in the condition', '{{ if $v := .name }}{{ $v }}{{ end }}', 'lab'],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });
});

describe('range', () => {
  it.each([
    ['over a slice, dot is the element', '{{ range .list }}{{ . }},{{ end }}', 'a,b,c,'],
    ['with index and element', '{{ range $i, $v := .list }}{{ $i }}={{ $v }};{{ end }}', '0=a;1=b;2=c;'],
    ['one variable gets the element', '{{ range $v := .nums }}{{ $v }}{{ end }}', '312'],
    ['over a map in sorted key order', '{{ range $k, $v := .m }}{{ $k }}{{ $v }}{{ end }}', 'a1b2c3'],
    ['over a map with int keys', '{{ range $k, $v := .ints }}{{ $k }}:{{ $v }} {{ end }}', '2:two 10:ten '],
    ['else for an empty slice', '{{ range .emptylist }}x{{ else }}none{{ end }}', 'none'],
    ['else for a missing value', '{{ range .missing }}x{{ else }}none{{ end }}', 'none'],
    ['over an integer (Go 1.24)', '{{ range 3 }}{{ . }}{{ end }}', '012'],
    ['over an integer with a variable', '{{ range $i := 3 }}{{ $i }}{{ end }}', '012'],
    ['over zero runs else', '{{ range 0 }}x{{ else }}e{{ end }}', 'e'],
    ['over seq', '{{ range seq 2 4 }}{{ . }}{{ end }}', '234'],
    ['continue', '{{ range .nums }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ . }}{{ end }}', '32'],
    ['break', '{{ range .nums }}{{ if eq . 1 }}{{ break }}{{ end }}{{ . }}{{ end }}', '3'],
    ['break leaves only the inner loop', '{{ range $a := .nums }}{{ range $.list }}{{ break }}{{ end }}{{ $a }}{{ end }}', '312'],
    ['assignment form', '{{ $x := 0 }}{{ range $x = .nums }}{{ end }}{{ $x }}', '2'],
    ['variables in the body are fresh each iteration', '{{ range .nums }}{{ $y := . }}{{ $y }}{{ end }}', '312'],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('two variables over an integer are an error', () => {
    expect(renderError('{{ range $i, $v := 3 }}{{ end }}').message).toMatch(/can't use 3 to iterate over more than one variable/);
  });

  it('a string cannot be ranged over', () => {
    expect(renderError('{{ range .name }}{{ end }}').message).toMatch(/range can't iterate over lab/);
  });

  it('break outside range is a parse error', () => {
    expect(renderError('{{ break }}').message).toMatch(/\{\{break\}\} outside \{\{range\}\}/);
  });

  it('range can declare at most two variables', () => {
    expect(renderError('{{ range $a, $b, $c := .list }}{{ end }}').message).toMatch(/too many declarations in range/);
  });
});

describe('with / else with', () => {
  it.each([
    ['with sets dot', '{{ with .nested.x }}{{ .z }}{{ end }}', 'deep'],
    ['else with', '{{ with .missing }}a{{ else with .name }}{{ . }}{{ else }}c{{ end }}', 'lab'],
    ['else', '{{ with .empty }}a{{ else }}b{{ end }}', 'b'],
    ['with a declaration', '{{ with $v := .n }}{{ $v }}{{ . }}{{ end }}', '33'],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });
});

describe('define / template / block', () => {
  it.each([
    ['template with and without data', '{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" .name }}{{ template "t" }}', '[lab][<no value>]'],
    ['$ in a template is its data', '{{ define "d" }}{{ $ }}{{ end }}{{ template "d" 5 }}', '5'],
    ['block defines and runs', '{{ block "b" .n }}({{ . }}){{ end }}', '(3)'],
    ['definitions anywhere in the file', '{{ template "late" }}{{ define "late" }}L{{ end }}', 'L'],
    ['recursion', '{{ define "r" }}{{ if gt . 0 }}{{ . }}{{ template "r" subtract . 1 }}{{ end }}{{ end }}{{ template "r" 3 }}', '321'],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('a later file redefines a block (as clab_templates can)', () => {
    expect(render('{{ block "b" .n }}({{ . }}){{ end }}', [{ file: 'x.gotmpl', text: '{{ define "b" }}<{{ . }}>{{ end }}' }])).toBe('<3>');
  });

  it('a template sees no variables of its caller', () => {
    expect(renderError('{{ $x := 1 }}{{ define "v" }}{{ $x }}{{ end }}').message).toMatch(/undefined variable "\$x"/);
  });

  it('an unknown template is an execution error', () => {
    expect(renderError('{{ template "nope" }}').message).toMatch(/template "nope" not defined/);
  });

  it('two definitions of one name in a file are an error', () => {
    expect(renderError('{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}').message).toMatch(/multiple definition of template "a"/);
  });

  it('runaway recursion stops with an error', () => {
    expect(renderError('{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}').message).toMatch(/exceeded maximum template depth/);
  });
});

describe('whitespace trimming and comments', () => {
  it.each([
    ['both sides', 'a  {{- .name -}}  b', 'alabb'],
    ['left trims newlines and indentation', 'x\n    {{- .n }}\n', 'x3\n'],
    ['right trims up to the next text', '{{ .n -}}\n\n  y', '3y'],
    ['tabs and CR count as space', '{{ .n -}}\t\r\n b', '3b'],
    ['a newline after the marker', 'a {{-\n.n}}', 'a3'],
    ['{{-3}} is a number, not a trim', '{{-3}}', '-3'],
    ['a comment', 'a{{/* comment */}}b', 'ab'],
    ['a comment spanning lines', 'a{{/* one\ntwo */}}b', 'ab'],
    ['a trimmed comment', 'a {{- /* c */ -}} b', 'ab'],
    ['an untrimmed comment keeps the spaces', 'a {{/* c */}} b', 'a  b'],
    ['actions may span lines', '{{ add\n  1\n  2 }}', '3'],
    [
      'the range idiom of containerlab templates',
      'nodes:\n{{- range $i := seq 1 2 }}\n    n{{ $i }}:\n      kind: linux\n{{- end }}\n',
      'nodes:\n    n1:\n      kind: linux\n    n2:\n      kind: linux\n',
    ],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });
});

describe('pipelines', () => {
  it.each([
    ['the previous value is the last argument', '{{ .n | add 1 | mul 2 }}', '8'],
    ['into printf', '{{ "x" | printf "%s%s" "y" }}', 'yx'],
    ['parenthesized', '{{ add (len .list) 1 }}', '4'],
    ['a field of a parenthesized pipeline', '{{ (.nested).x.z }}', 'deep'],
    ['a parenthesized pipeline into a function', '{{ (index .list 1) | printf "%q" }}', '"b"'],
    ['into a method', '{{ "a,b" | strings.Split "," }}', '[a b]'],
    ['a parenthesized pipeline with a declaration', '{{ ($x := 4) }}{{ $x }}', '44'],
  ])('%s', (_name, tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('an argument to a non-function is an error', () => {
    expect(renderError('{{ .name 1 }}').message).toMatch(/name is not a method but has arguments/);
  });

  it('a constant in a later stage is a parse error', () => {
    expect(renderError('{{ .n | 3 }}').message).toMatch(/non executable command in pipeline stage 2/);
  });
});
