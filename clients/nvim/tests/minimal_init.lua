-- The init file of the plugin's test runs: `nvim --headless --clean -u tests/minimal_init.lua`,
-- from clients/nvim. Nothing but the plugin and Neovim's own runtime is on the runtimepath (--clean
-- leaves the user's folders out of it); the test
-- helpers and busted (Debian's lua-busted, or wherever BURROW_BUSTED_LUA points) are on the Lua
-- path only. Every XDG folder comes from the environment the runner sets, so a run never reads or
-- writes the user's configuration, state or shada.
local tests = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local plugin = vim.fn.fnamemodify(tests, ':h')

vim.opt.runtimepath:prepend(plugin)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.o.columns = 140
vim.o.lines = 40

-- busted is plain Lua: its modules load into Neovim's LuaJIT like any other (its few C parts are
-- built for the Lua 5.1 ABI, which LuaJIT keeps).
local busted_lua = vim.env.BURROW_BUSTED_LUA or '/usr/share/lua/5.1'
local busted_lib = vim.env.BURROW_BUSTED_LIB or '/usr/lib/x86_64-linux-gnu/lua/5.1'
package.path = table.concat({
  tests .. '/?.lua',
  tests .. '/?/init.lua',
  busted_lua .. '/?.lua',
  busted_lua .. '/?/init.lua',
  package.path,
}, ';')
package.cpath = busted_lib .. '/?.so;' .. package.cpath

vim.cmd('runtime plugin/burrow.lua')
