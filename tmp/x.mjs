import { createCB } from 'xmlbuilder2';
let out = '';
const xml = createCB({ data: (c) => (out += c), prettyPrint: true });
xml.dec({ version: '1.0', encoding: 'UTF-8' });
xml.ele('rss', { version: '2.0', 'xmlns:wp': 'http://wordpress.org/export/1.2/' }).ele('channel').ele('wp:wxr_version').txt('1.2 & <x>').up();
try { xml.ele('content:encoded').dat('a ]]> b').up(); } catch (e) { console.log('dat error', e.message); }
xml.ele('category', { domain: 'post_tag', nicename: 'x' }).dat('a ]]').dat('> b').up();
xml.ele('bad').txt('ctrl \u0001 char').up();
xml.up().up().end();
console.log(out);
