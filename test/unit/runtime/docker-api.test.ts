/** The Docker Engine client's reply parsing (the calls themselves run against
 * a real engine in the e2e suites). */
import { describe, expect, it } from 'vitest';
import { parseReply } from '../../../src/runtime/docker-api.js';

const reply = (head: string[], body: string) => Buffer.from([...head, '', body].join('\r\n'));

describe('Docker engine replies', () => {
  it('reads the status and a plain body', () => {
    expect(parseReply(reply(['HTTP/1.0 200 OK', 'Content-Type: application/json'], '[{"Id":"a"}]'))).toEqual({ status: 200, body: '[{"Id":"a"}]' });
  });

  it('decodes a chunked body', () => {
    const body = ['5', '[{"Id', '7', '":"ab"}', '1', ']', '0', '', ''].join('\r\n');
    expect(parseReply(reply(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'], body)).body).toBe('[{"Id":"ab"}]');
  });

  it('keeps an error status and its body', () => {
    expect(parseReply(reply(['HTTP/1.0 404 Not Found'], '{"message":"No such container: x"}'))).toEqual({ status: 404, body: '{"message":"No such container: x"}' });
  });

  it('refuses what is not an HTTP reply', () => {
    expect(() => parseReply(Buffer.from('garbage'))).toThrow(/incomplete HTTP reply/);
    expect(() => parseReply(Buffer.from('SSH-2.0-x\r\n\r\n'))).toThrow(/not an HTTP reply from the Docker engine: "SSH-2.0-x"/);
  });
});
