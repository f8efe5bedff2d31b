// Runs one script in QuickJS on a worker thread (see script/run-script.ts), so a CPU-bound
// script never blocks the process's event loop. Plain JavaScript: it runs as is from src/ and
// from dist/, with no TypeScript loader. Tool calls go to the parent as messages.
import { parentPort, workerData } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, Scope } from 'quickjs-emscripten';

const CODES = {
  SCRIPT_ERROR: 'SCRIPT_ERROR',
  SCRIPT_TIMEOUT: 'SCRIPT_TIMEOUT',
  SCRIPT_MEMORY_LIMIT: 'SCRIPT_MEMORY_LIMIT',
  SCRIPT_RESULT_NOT_JSON: 'SCRIPT_RESULT_NOT_JSON',
  SCRIPT_RESULT_TOO_LARGE: 'SCRIPT_RESULT_TOO_LARGE',
  TOOL_CANCELLED: 'TOOL_CANCELLED',
};
const STOP_TIMEOUT = 1;
const STOP_CANCELLED = 2;
const maxStackLines = 20;
const pageBytes = 64 * 1024;
// what the module itself needs besides the script's heap (its initial memory, stack, data)
const baseBytes = 16 * 1024 * 1024;

const { code, asyncBody, prelude, limits } = workerData;
const stop = new Int32Array(workerData.stop);
const deadline = Date.now() + limits.scriptTimeoutMs;

const logs = [];
let logBytes = 0;
let logsCut = false;
function addLog(level, text) {
  if (logsCut) return;
  const entry = level === 'warn' || level === 'error' ? `[${level}] ${text}` : text;
  logBytes += Buffer.byteLength(entry, 'utf8');
  if (logBytes > limits.maxOutputBytes) {
    logsCut = true;
    logs.push(`[console output over ${limits.maxOutputBytes} bytes; the rest was dropped]`);
    return;
  }
  logs.push(entry);
}

const answers = [];
let wake;
let nextCallId = 0;
parentPort.on('message', (message) => {
  if (message.type === 'answer') answers.push(message);
  wake?.();
});

const stopped = () => Atomics.load(stop, 0) !== 0;
const failed = (error) => ({ success: false, result: 'null', logs, error });

function classify(error) {
  const flag = Atomics.load(stop, 0);
  if (flag === STOP_CANCELLED) return { code: CODES.TOOL_CANCELLED, message: 'script was cancelled' };
  if (flag === STOP_TIMEOUT || Date.now() > deadline) {
    return {
      code: CODES.SCRIPT_TIMEOUT,
      message: `script exceeded its time limit of ${limits.scriptTimeoutMs} ms`,
    };
  }
  if (/out of memory/i.test(error.message)) {
    const mib = Math.round(limits.scriptMemoryBytes / 1024 / 1024);
    return {
      code: CODES.SCRIPT_MEMORY_LIMIT,
      message: `script exceeded its memory limit of ${mib} MiB (${error.message})`,
    };
  }
  return error;
}

function readGuestError(vm, handle) {
  if (vm.typeof(handle) === 'object' && !vm.sameValue(handle, vm.null)) {
    const read = (key) =>
      vm
        .getProp(handle, key)
        .consume((prop) => (vm.typeof(prop) === 'undefined' ? undefined : String(vm.dump(prop))));
    const name = read('name') ?? 'Error';
    const message = read('message') ?? '';
    const stack = read('stack')?.split('\n').slice(0, maxStackLines).join('\n');
    const toolCode = read('code');
    return {
      code: name === 'ToolError' && toolCode ? toolCode : CODES.SCRIPT_ERROR,
      message: `${name}: ${message}`,
      ...(stack ? { stack } : {}),
    };
  }
  const value = vm.dump(handle);
  // QuickJS throws null when it cannot even allocate the error object
  if (value === null) return { code: CODES.SCRIPT_ERROR, message: 'out of memory' };
  return { code: CODES.SCRIPT_ERROR, message: `Uncaught ${JSON.stringify(value) ?? String(value)}` };
}

// run as written when it compiles as a global script (its last expression is its value);
// with top-level await or return, as the body of an async function
function chooseProgram(vm) {
  const plain = vm.evalCode(code, 'script.js', { type: 'global', compileOnly: true });
  if (!plain.error) {
    plain.dispose();
    return { code };
  }
  const wrapped = vm.evalCode(asyncBody, 'script.js', { type: 'global', compileOnly: true });
  if (!wrapped.error) {
    wrapped.dispose();
    plain.dispose();
    return { code: asyncBody };
  }
  wrapped.dispose();
  const error = readGuestError(vm, plain.error);
  plain.dispose();
  return { error };
}

function toJson(vm, value) {
  const result = Scope.withScope((scope) => {
    const json = scope.manage(vm.getProp(vm.global, 'JSON'));
    const stringify = scope.manage(vm.getProp(json, 'stringify'));
    const called = vm.callFunction(stringify, json, value);
    if (called.error) return { error: readGuestError(vm, scope.manage(called.error)) };
    const out = scope.manage(called.value);
    return { text: vm.typeof(out) === 'string' ? vm.getString(out) : 'null' };
  });
  if (result.error) {
    return {
      error: {
        code: CODES.SCRIPT_RESULT_NOT_JSON,
        message: `the script's result cannot be turned into JSON: ${result.error.message}`,
      },
    };
  }
  const bytes = Buffer.byteLength(result.text, 'utf8');
  if (bytes > limits.maxOutputBytes) {
    return {
      error: {
        code: CODES.SCRIPT_RESULT_TOO_LARGE,
        message: `the script's result is ${bytes} bytes of JSON, over the cap of ${limits.maxOutputBytes}; return less`,
      },
    };
  }
  return result;
}

async function evaluate(vm, runtime, scope, inFlight) {
  const log = scope.manage(
    vm.newFunction('__cody_log', (level, text) => addLog(vm.getString(level), vm.getString(text))),
  );
  vm.setProp(vm.global, '__cody_log', log);
  const call = scope.manage(
    vm.newFunction('__cody_call', (nameHandle, argsHandle) => {
      const deferred = vm.newPromise();
      const id = nextCallId++;
      inFlight.set(id, deferred);
      parentPort.postMessage({
        type: 'call',
        id,
        name: vm.getString(nameHandle),
        args: vm.getString(argsHandle),
      });
      return deferred.handle;
    }),
  );
  vm.setProp(vm.global, '__cody_call', call);
  scope.manage(vm.unwrapResult(vm.evalCode(prelude, 'prelude.js', { type: 'global' })));

  const program = chooseProgram(vm);
  if (program.error) return failed(classify(program.error));
  const evaluated = vm.evalCode(program.code, 'script.js', { type: 'global' });
  if (evaluated.error) return failed(classify(readGuestError(vm, scope.manage(evaluated.error))));
  const value = scope.manage(evaluated.value);

  for (;;) {
    for (let answer = answers.shift(); answer; answer = answers.shift()) {
      const deferred = inFlight.get(answer.id);
      if (!deferred) continue;
      inFlight.delete(answer.id);
      vm.newString(answer.text).consume((text) => deferred.resolve(text));
    }
    const jobs = runtime.executePendingJobs();
    if (jobs.error) return failed(classify(readGuestError(vm, scope.manage(jobs.error))));
    const state = vm.getPromiseState(value);
    if (state.type === 'rejected') return failed(classify(readGuestError(vm, scope.manage(state.error))));
    if (state.type === 'fulfilled') {
      const settled = state.notAPromise ? value : scope.manage(state.value);
      const json = toJson(vm, settled);
      return json.error ? failed(classify(json.error)) : { success: true, result: json.text, logs };
    }
    if (stopped() || Date.now() > deadline) return failed(classify({ code: '', message: '' }));
    if (inFlight.size === 0 && answers.length === 0) {
      return failed({
        code: CODES.SCRIPT_ERROR,
        message: 'the script is waiting for a promise that can never settle (nothing it awaits is pending)',
      });
    }
    await new Promise((resolve) => {
      wake = resolve;
      if (answers.length > 0 || stopped()) resolve();
    });
    wake = undefined;
  }
}

async function main() {
  const memory = new WebAssembly.Memory({
    initial: baseBytes / pageBytes,
    // QuickJS's own accounting misses big strings and buffers in this build: the wasm memory is the hard cap
    maximum: Math.ceil((baseBytes + limits.scriptMemoryBytes) / pageBytes),
  });
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }));
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.scriptMemoryBytes);
  runtime.setMaxStackSize(limits.scriptStackBytes);
  runtime.setInterruptHandler(() => stopped() || Date.now() > deadline);
  const vm = runtime.newContext();
  const scope = new Scope();
  const inFlight = new Map();
  let result;
  try {
    result = await evaluate(vm, runtime, scope, inFlight);
  } catch (error) {
    // stopped while setting up (the prelude was interrupted): report the stop, not the sandbox
    const sandboxError = {
      code: CODES.SCRIPT_ERROR,
      message: `the script sandbox failed: ${error?.message ?? error}`,
    };
    result = failed(stopped() || Date.now() > deadline ? classify(sandboxError) : sandboxError);
  }
  try {
    for (const deferred of inFlight.values()) deferred.dispose();
    scope.dispose();
    vm.dispose();
    runtime.dispose();
  } catch (error) {
    // a handle left alive is a bug here, not in the script: say so instead of hiding it
    if (result.success) {
      result = failed({
        code: CODES.SCRIPT_ERROR,
        message: `the script sandbox failed to clean up: ${error?.message}`,
      });
    }
  }
  parentPort.postMessage({ type: 'done', result });
  parentPort.close();
}

await main();
