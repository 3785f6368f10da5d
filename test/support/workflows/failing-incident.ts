/**
 * A workflow made to fail on purpose, registered as `incident` on a task queue of its own:
 * its task throws until `failUntil` (workflow time), then it runs and keeps what the engine
 * told it. For the engine-health test only.
 */
import * as wf from '@temporalio/workflow';

export const notesQuery = wf.defineQuery<string[]>('notes');
const engineNote = wf.defineSignal<[{ text: string }]>('engineNote');

export async function incident({ failUntil }: { failUntil: number }): Promise<void> {
  const notes: string[] = [];
  wf.setHandler(engineNote, ({ text }) => void notes.push(text));
  wf.setHandler(notesQuery, () => notes);
  if (Date.now() < failUntil)
    throw new Error(`failing on purpose until ${new Date(failUntil).toISOString()}`);
  await wf.condition(() => false);
}
