import { redirect } from "next/navigation";
import { DEFAULT_AFTER_SIGN_IN } from "@/lib/portal/callback-path";

export default function Home() {
  redirect(DEFAULT_AFTER_SIGN_IN);
}
