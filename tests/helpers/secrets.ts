/**
 * Finds secret material in text: outputs, logs, CLI output, stack state. Each secret is looked for as it is and in
 * the encodings it could take on the way (JSON string escaping, base64, URL encoding), and for long secrets also by
 * a distinctive slice, so a secret cut or wrapped by a logger is still found.
 */
export interface SecretHit {
  /** The label given with the secret (e.g. "SecretAccessKey of AKIA..."), never the secret itself. */
  label: string;
  /** How it was found: "as is", "json", "base64", "url", "slice". */
  form: string;
}

export interface LabelledSecret {
  label: string;
  value: string;
}

/** Slices of this many characters from long secrets are searched too (SSH keys and certificates are kilobytes). */
const SLICE = 40;

function forms(value: string): Array<[string, string]> {
  const out: Array<[string, string]> = [["as is", value]];
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) out.push(["json", json]);
  out.push(["base64", Buffer.from(value, "utf8").toString("base64").replace(/=+$/, "")]);
  const url = encodeURIComponent(value);
  if (url !== value) out.push(["url", url]);
  if (value.length > SLICE * 2) {
    // The body of a key or certificate, past any well-known header that also appears in harmless text.
    const middle = Math.floor(value.length / 2) - SLICE / 2;
    out.push(["slice", value.slice(middle, middle + SLICE)]);
  }
  return out;
}

/** Every secret found in `text`, with how it was found. Secrets shorter than 8 characters are refused as unsearchable. */
export function findSecrets(text: string, secrets: readonly LabelledSecret[]): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const { label, value } of secrets) {
    if (value.length < 8) throw new Error(`findSecrets: ${label} is too short to search for reliably`);
    for (const [form, needle] of forms(value)) {
      if (text.includes(needle)) {
        hits.push({ label, form });
        break;
      }
    }
  }
  return hits;
}
