// llm-standin-server.mjs - the LLM stand-in (tests/blackbox/lib/llm_standin.mjs: a test double
// for a paid OpenAI-compatible service) as a process of its own, for the cluster tier:
// scripts/test-k8s.sh runs it inside the cluster's network namespace on the node's address,
// where the pods reach it, and points the api's LLM mode at it
// (docs/decisions/0056-exporters-in-the-cluster-tier.md). Every request gets the stand-in's
// fallback answer, a plain "OK".
//
// Usage: node tests/k8s/lib/llm-standin-server.mjs HOST PORT
// Prints "listening <url>" once it accepts connections; runs until SIGTERM or SIGINT.
import { startLlmStandin } from '../../blackbox/lib/llm_standin.mjs';

const [host, port] = process.argv.slice(2);
if (!host || !/^[0-9]+$/.test(port || '')) {
    console.error('usage: llm-standin-server.mjs HOST PORT');
    process.exit(2);
}
const standin = await startLlmStandin({ host, port: Number(port) });
console.log(`listening ${standin.url}`);
const stop = async () => {
    await standin.close();
    process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
