/**
 * Reference R1: the leanest possible Node answer. Reads the page's bytes once and answers
 * every request with them. Usage: node bench/r1-server.ts FILE PORT.
 */
import fs from 'node:fs';
import http from 'node:http';

const [file, port] = process.argv.slice(2);
const body = fs.readFileSync(file);
const headers = { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': String(body.length) };

http
  .createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  })
  .listen(Number(port), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
