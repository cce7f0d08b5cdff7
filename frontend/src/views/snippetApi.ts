// What a snippet can call (the engine's snippet API and threading's
// primitives): one line each, for the editor's reference and its completion.

export interface ApiEntry {
  name: string;
  signature: string;
  info: string;
  group: "messages" | "threads and time" | "threading";
}

export const SNIPPET_API: readonly ApiEntry[] = [
  { name: "send", signature: "send(to, content=None) → id", info: "Send content (JSON) to node `to` over their link.", group: "messages" },
  { name: "recv", signature: "recv(timeout=None) → Message | None", info: "The next message for this node (waits; None after timeout seconds). msg.sender, msg.content.", group: "messages" },
  { name: "reply", signature: "reply(message, content=None) → id", info: "Send content back to the message's sender.", group: "messages" },
  { name: "broadcast", signature: "broadcast(content=None) → [id]", info: "Send content to every neighbour.", group: "messages" },
  { name: "neighbors", signature: "neighbors() → [node]", info: "The nodes linked to this one.", group: "messages" },
  { name: "me", signature: "me", info: "This node's name.", group: "messages" },
  { name: "spawn", signature: "spawn(fn, *args, name=None) → Thread", info: "Start fn(*args) in a new thread of this node.", group: "threads and time" },
  { name: "sleep", signature: "sleep(seconds=0)", info: "Wait; in controlled runs only the thread's virtual clock moves.", group: "threads and time" },
  { name: "print", signature: "print(*args)", info: "Printed lines are the thread's output.", group: "threads and time" },
  { name: "now", signature: "now() → seconds", info: "This node's physical clock (with its drift and offset).", group: "threads and time" },
  { name: "section", signature: "with section(name):", info: "Marks code that invariants can count with inside(name).", group: "threads and time" },
  { name: "inside", signature: "inside(name) → count", info: "In an invariant: how many threads are in that section now.", group: "threads and time" },
  { name: "Lock", signature: "Lock() · acquire() · release() · with lock:", info: "One holder at a time; only the holder releases.", group: "threading" },
  { name: "RLock", signature: "RLock()", info: "A lock its holder may take again (released as often).", group: "threading" },
  { name: "Semaphore", signature: "Semaphore(n) · acquire() · release()", info: "n permits; acquire waits for one.", group: "threading" },
  { name: "BoundedSemaphore", signature: "BoundedSemaphore(n)", info: "A semaphore that refuses a release above n.", group: "threading" },
  { name: "Condition", signature: "Condition(lock=None) · wait() · notify() · notify_all()", info: "Wait (releasing the lock) until notified.", group: "threading" },
  { name: "Event", signature: "Event() · set() · clear() · wait(timeout=None)", info: "A flag threads wait on until it is set.", group: "threading" },
  { name: "Barrier", signature: "Barrier(parties) · wait()", info: "Waits until `parties` threads have arrived.", group: "threading" },
];
