/**
 * Reference R1: the leanest possible Node answer. Reads the page's bytes once and answers
 * every request with them. Usage: node bench/r1-server.ts FILE PORT [CONTENT-ENCODING]
 * (R1z: the file holds the page already compressed, sent with that Content-Encoding).
 */
import fs from 'node:fs';
import http from 'node:http';

const [file, port, encoding] = process.argv.slice(2);
const body = fs.readFileSync(file);
const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': String(body.length) };
if (encoding) Object.assign(headers, { 'Content-Encoding': encoding, Vary: 'Accept-Encoding' });

http
  .createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  })
  .listen(Number(port), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
