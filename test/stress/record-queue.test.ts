// The records threads of a simulation hand each other: what is written is read back, field
// for field, through the buffer's growth and across resets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newQueueBuffer, RecordReader, RecordWriter } from '../../src/stress/record-queue.js';

test('fields come back in order, through growth, and a reset starts over', () => {
  const buffer = newQueueBuffer();
  const writer = new RecordWriter(buffer);
  const reader = new RecordReader(buffer);
  const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
  for (let round = 0; round < 2; round++) {
    writer.reset();
    assert.equal(writer.empty, true);
    for (let i = 0; i < 5000; i++) {
      writer.u8(i & 0xff);
      writer.u32(i * 7919);
      writer.f64(i / 3);
      writer.blob(new Uint8Array([i & 0xff, round]));
      writer.raw(new Uint8Array(20).fill(i & 0xff));
    }
    writer.blob(big);
    writer.publish();
    reader.start();
    for (let i = 0; i < 5000; i++) {
      assert.equal(reader.u8(), i & 0xff);
      assert.equal(reader.u32(), i * 7919);
      assert.equal(reader.f64(), i / 3);
      assert.deepEqual(reader.blob(), new Uint8Array([i & 0xff, round]));
      assert.deepEqual(reader.raw(20), new Uint8Array(20).fill(i & 0xff));
    }
    assert.deepEqual(reader.blob(), big);
    assert.equal(reader.more, false);
  }
  assert.ok(buffer.byteLength > 64 * 1024, 'the buffer grew');
});

test('a reader sees nothing until the writer publishes', () => {
  const buffer = newQueueBuffer();
  const writer = new RecordWriter(buffer);
  const reader = new RecordReader(buffer);
  writer.reset();
  writer.publish();
  writer.u32(5);
  reader.start();
  assert.equal(reader.more, false);
  writer.publish();
  reader.start();
  assert.equal(reader.u32(), 5);
});
