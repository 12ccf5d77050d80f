import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../../src/topology/env-subst.js';

// Vectors from hellt/envsubst's own tests, with containerlab's restrictions
// (NoReplace: unset or empty variables stay as "$NAME"; NoDigit: "$1" stays).
const env = { BAR: 'bar', FOO: 'foo', EMPTY: '', ALSO_EMPTY: '' };

describe('substituteEnv (containerlab semantics)', () => {
  it.each([
    ['', ''],
    ['$BAR', 'bar'],
    ['$BAR baz', 'bar baz'],
    ['$BAR$FOO', 'barfoo'],
    ['$BAR - $FOO', 'bar - foo'],
    ['$_ bar', '$_ bar'],
    ['${_} bar', '${_} bar'],
    ['${BAR}baz', 'barbaz'],
    ['${NOTSET-$BAR}', 'bar'],
    ['${NOTSET=$BAR}', 'bar'],
    ['${EMPTY:-$BAR}', 'bar'],
    ['${EMPTY:=$BAR}', 'bar'],
    ['${EMPTY+hello}', 'hello'],
    ['${EMPTY:+hello}', 'hello'],
    ['${NOTSET+hello}', ''],
    ['${NOTSET:+hello}', ''],
    ['hello $BAR\nhello ${EMPTY:=$FOO}', 'hello bar\nhello foo'],
    ['${hello:=wo_rld} ${foo:=bar_baz}', 'wo_rld bar_baz'],
    ['prop=${HOME_URL-http://localhost:8080}', 'prop=http://localhost:8080'],
    ['FOO $$BAR BAZ', 'FOO $BAR BAZ'],
    ['FOO $${BAR} BAZ', 'FOO ${BAR} BAZ'],
    ['$$$BAR', '$bar'],
    ['$$${BAZ:-baz}', '$baz'],
    ['hello $1', 'hello $1'],
    ['hello ${2}', 'hello ${2}'],
    // unset (or empty) without a default: left as literal "$NAME"
    ['$NOTSET', '$NOTSET'],
    ['${NOTSET}', '$NOTSET'],
    ['$EMPTY', '$EMPTY'],
    ['some$value', 'some$value'],
    ['${NOTSET:=}', '$NOTSET'],
    ['${NOTSET:-$ALSO_NOTSET}', '$ALSO_NOTSET'],
    ['cost: 5$', 'cost: 5$'],
    ['prefix: ${CLAB_PREFIX:=""}', 'prefix: ""'],
    ['image: ${IMG:=ghcr.io/nokia/srlinux}:${VER:=latest}', 'image: ghcr.io/nokia/srlinux:latest'],
  ])('%j -> %j', (input, expected) => {
    expect(substituteEnv(input, env)).toBe(expected);
  });

  it('fails on a ${ without closing brace on its line, naming the line', () => {
    expect(() => substituteEnv('a: 1\nb: hello ${WORLD\n', env, 'x.yml')).toThrow(
      /^x\.yml:2: environment variable expression has no closing brace .*- close it with "}"/,
    );
  });
});
