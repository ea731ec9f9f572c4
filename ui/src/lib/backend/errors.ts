import { ERROR_CODES, type AppErrorDto, type ErrorCode } from "./bindings";

const isErrorCode = (c: unknown): c is ErrorCode => (ERROR_CODES as readonly unknown[]).includes(c);

/** Every rejected command carries `{code, message}`; anything else is an internal error. */
export function toAppError(e: unknown): AppErrorDto {
  if (typeof e === "object" && e !== null && "message" in e) {
    const message = String((e as { message: unknown }).message);
    const code = "code" in e && isErrorCode(e.code) ? e.code : "internal";
    return { code, message };
  }
  return { code: "internal", message: typeof e === "string" ? e : String(e) };
}
