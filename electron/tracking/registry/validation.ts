/**
 * Input checks for the model registry, with the messages MLflow's `validation.py` and
 * `model_version_stages.py` use, so clients that match on them keep working.
 */
import {
  LENGTH_ERROR_QUOTE_LENGTH,
  MAX_MODEL_REGISTRY_TAG_KEY_LENGTH,
  MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH,
  MAX_REGISTERED_MODEL_ALIAS_LENGTH,
} from "../limits.ts";
import { MlflowError } from "../types.ts";
import type { Stage } from "../types.ts";

/** Every stage a version can be in, in MLflow's order (also the order of `latest_versions`). */
export const STAGES: readonly Stage[] = ["None", "Staging", "Production", "Archived"];
/** The stage a deleted version keeps internally; such versions are invisible to every read. */
export const STAGE_DELETED_INTERNAL = "Deleted_Internal";

const TAG_NAME = /^[/\w.\- ]*$/;
const ALIAS_NAME = /^[\w-]*$/;
const VERSION_ALIAS = /^[vV]\d+$/;

function invalid(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

function checkLength(entity: string, limit: number, value: string): void {
  if (value.length > limit) {
    throw invalid(`${entity} '${value.slice(0, LENGTH_ERROR_QUOTE_LENGTH)}' had length ${value.length}, which exceeded length limit of ${limit}`);
  }
}

/** A registered model name must be present; `param` names the request field in the message. */
export function checkModelName(name: string, param = "name"): void {
  if (typeof name !== "string" || name === "") throw invalid(`Missing value for required parameter '${param}'.`);
}

/** Versions are decimal integers given as strings; returns the number. */
export function checkVersion(version: string): number {
  const text = String(version).trim();
  if (!/^[+-]?\d+$/.test(text)) throw invalid(`Model version must be an integer, got '${version}'`);
  return Number(text);
}

/** A tag key: present and a safe name (`checkTag` also checks its length). */
export function checkTagKey(key: string): void {
  if (typeof key !== "string" || key === "") throw invalid("Missing value for required parameter 'key'.");
  if (!TAG_NAME.test(key)) {
    throw invalid(
      `Invalid tag name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`,
    );
  }
  // MLflow rejects keys that would normalise to another path, as for every tag.
  if (key.startsWith("/") || key.split("/").some((part) => part === "." || part === "..")) {
    throw invalid(`Invalid tag name: '${key}'. Names cannot refer to the current or parent directory or start with a slash.`);
  }
}

/** A tag on a registered model (`entity` "Registered model") or a version ("Model version"). */
export function checkTag(entity: "Registered model" | "Model version", key: string, value: string): void {
  checkTagKey(key);
  checkLength(`${entity} key`, MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, key);
  checkLength(`${entity} value`, MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, value ?? "");
}

/** An alias name as any alias call takes it: present, `[\w-]*`, at most `MAX_REGISTERED_MODEL_ALIAS_LENGTH` characters. */
export function checkAliasName(alias: string): void {
  if (typeof alias !== "string" || alias === "") throw invalid("Registered model alias name cannot be empty.");
  if (!ALIAS_NAME.test(alias)) {
    throw invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  checkLength("Registered model alias name", MAX_REGISTERED_MODEL_ALIAS_LENGTH, alias);
}

/** An alias a caller may set: also not `latest` nor `v<digits>`, which `models:/` URIs already mean. */
export function checkSettableAlias(alias: string): void {
  checkAliasName(alias);
  if (alias.toLowerCase() === "latest") throw invalid("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`);
}

/** The canonical spelling of a stage given in any case; unknown stages are INVALID_PARAMETER_VALUE. */
export function canonicalStage(stage: string): Stage {
  const lower = String(stage).toLowerCase();
  const found = STAGES.find((s) => s.toLowerCase() === lower);
  if (!found) throw invalid(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(", ")}.`);
  return found;
}
