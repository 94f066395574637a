// Entry point: the login screen or the chat, depending on the session.

import { Api } from "./api";
import { Auth } from "./auth";
import { mountApp } from "./views/app";
import { mountLogin } from "./views/login";
import "./styles.css";
import "./people.css";
import "./files.css";
import "./community.css";

const root = document.getElementById("app");
if (!root) throw new Error("#app is missing");

const auth = new Auth();
const api = new Api(auth);
let mounted: { user: number | null; unmount: () => void } | null = null;

function route(): void {
  const user = auth.session?.user ?? null;
  if (mounted && mounted.user === (user?.id ?? null)) return;
  mounted?.unmount();
  const unmount = user ? mountApp(root!, user, api, auth) : mountLogin(root!, api, auth);
  mounted = { user: user?.id ?? null, unmount };
}

auth.onChange(route);
route();
