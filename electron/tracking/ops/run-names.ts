/**
 * Generated run names in MLflow's style (`brave-owl-123`): readable enough to tell runs apart in a
 * table, random enough that two runs of one notebook rarely share one.
 */
import { randomInt } from "node:crypto";

const ADJECTIVES = [
  "able", "bold", "brave", "bright", "calm", "clever", "crisp", "eager", "fair", "gentle", "glad", "grand",
  "honest", "jolly", "keen", "kind", "lively", "lucky", "merry", "nimble", "proud", "quick", "quiet", "rare",
  "shy", "silent", "smart", "sunny", "swift", "tidy", "vivid", "warm", "wise", "witty", "young", "zesty",
];
const NOUNS = [
  "ant", "bat", "bear", "bee", "carp", "cat", "colt", "crab", "crow", "deer", "dog", "dove", "duck", "eel",
  "elk", "finch", "fox", "frog", "goat", "hare", "hawk", "lark", "lion", "lynx", "mole", "moth", "newt", "owl",
  "ox", "panda", "ram", "seal", "shrew", "snail", "stoat", "swan", "toad", "trout", "wasp", "wolf", "wren",
];

/** A fresh `adjective-noun-number` name. */
export function generateRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
