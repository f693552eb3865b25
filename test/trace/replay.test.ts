import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseTrace, TraceError } from '../../src/trace/format.js';
import { loadTrace, replay, withExpectations } from '../../src/trace/replay.js';
import { traceFiles } from '../helpers.js';

const files = traceFiles();

t.test('the corpus is not empty', async (t) => {
  t.ok(files.length >= 1, `${files.length} traces`);
});

for (const file of files) {
  t.test(`replays ${file.split('/').pop()}`, async (t) => {
    const result = await replay(await loadTrace(file));
    t.equal(result.report, null, result.report ?? '');
    t.same(result.warnings, [], 'every input was taken by the terminal');
    t.ok(result.trace.expects.length > 0, 'the trace expects something');
  });
}

const happy = files.find((f) => f.endsWith('seed-happy-path.jsonl'))!;

t.test('replay is deterministic: same trace, same outputs', async (t) => {
  const trace = await loadTrace(happy);
  const a = await replay(trace);
  const b = await replay(trace);
  t.same(a.outputs, b.outputs);
  t.ok(a.outputs.length > 20);
});

t.test('a deliberately edited expectation fails with a readable diff naming the line', async (t) => {
  const text = readFileSync(happy, 'utf8');
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes('"screen":"confirm"'));
  t.ok(i > 0, 'the happy path expects the confirm screen');
  lines[i] = lines[i]!.replace('"gender":"female"', '"gender":"male"');
  const result = await replay(parseTrace(lines.join('\n'), 'edited.jsonl'));
  t.ok(result.mismatch, 'the edit is caught');
  t.match(result.report, new RegExp(`edited\\.jsonl:${i + 1}: screen #\\d+ differs at "fields\\.gender"`));
  t.match(result.report, /- expected: .*"gender":"male"/);
  t.match(result.report, /\+ actual: .*"gender":"female"/);
});

t.test('a missing and an extra output are both reported', async (t) => {
  const text = readFileSync(happy, 'utf8');
  const withoutLast = text.trimEnd().split('\n').slice(0, -1).join('\n');
  const extra = await replay(parseTrace(withoutLast, 'short.jsonl'));
  t.match(extra.report, /unexpected screen/);
  const missing = await replay(parseTrace(text + '{"expect":"prompt","id":"result.success"}\n', 'long.jsonl'));
  t.match(missing.report, /long\.jsonl:\d+: expected prompt #\d+, but the terminal produced only/);
});

t.test('--update writes expectations that then pass', async (t) => {
  const text = readFileSync(happy, 'utf8');
  const inputsOnly = text
    .split('\n')
    .filter((l) => !l.includes('"expect"'))
    .join('\n');
  const bare = await replay(parseTrace(inputsOnly, 'bare.jsonl'));
  const updated = withExpectations(inputsOnly, bare.outputs);
  const again = await replay(parseTrace(updated, 'updated.jsonl'));
  t.equal(again.report, null);
  t.equal(again.trace.expects.length, bare.outputs.length);
});

t.test('bad traces are refused with the line and the problem', async (t) => {
  const header = '{"trace":"lifecheck","version":1,"name":"x","start":"2026-11-28T09:00:00+08:00","seed":1}';
  const cases: Array<[string, RegExp]> = [
    ['', /empty trace/],
    ['{"trace":"lifecheck","version":2,"name":"x","start":"2026-11-28T09:00:00+08:00","seed":1}', /:1: unsupported trace version 2/],
    [`${header}\n{"at":5,"in":"touch"}`, /:2: touch needs "button", or "x" and "y"/],
    [`${header}\n{"at":5,"in":"touch","button":"fly"}`, /:2: unknown button "fly"/],
    [`${header}\n{"at":5,"in":"wait"}\n{"at":4,"in":"wait"}`, /:3: inputs must be in time order/],
    [`${header}\nnot json`, /:2: not valid JSON/],
    [`${header}\n{"expect":"prompt","id":"nope"}`, /:2: unknown prompt id "nope"/],
    [`${header}\n{"at":1,"in":"si","op":"lookup","fail":"x"}`, /:2: "fail" must be one of/],
    [`${header}\n{"at":1,"in":"si","op":"lookup"}`, /:2: si needs exactly one of/],
    [`${header}\n{"at":1,"in":"vision","event":"photo"}`, /:2: photo needs "quality"/],
  ];
  for (const [text, pattern] of cases) t.throws(() => parseTrace(text, 'bad.jsonl'), pattern);
  t.throws(() => parseTrace('[]', 'bad.jsonl'), TraceError);
  const badConfig = parseTrace('{"trace":"lifecheck","version":1,"name":"x","start":"2026-11-28T09:00:00+08:00","seed":1,"config":{"liveness":{"count":0}}}', 'cfg.jsonl');
  await t.rejects(replay(badConfig), /cfg\.jsonl:1: header\.config: .*liveness\.count/s);
});
