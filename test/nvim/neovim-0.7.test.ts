/** The plugin's specs on Debian's Neovim 0.7.2, the oldest version the plugin supports. */
import { defineNeovimSuite } from "./suite.js";
import { neovim } from "./harness.js";

defineNeovimSuite(await neovim("0.7"));
