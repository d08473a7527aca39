-- Runs one spec file with busted inside this Neovim and exits with the number of failures:
--   BURROW_TEST_SPEC=tests/x_spec.lua nvim --headless --clean -u tests/minimal_init.lua -c "luafile tests/run.lua"
-- The result of every test also goes, as JSON, to the file BURROW_TEST_RESULTS names (the
-- TypeScript side reads it). Specs start after VimEnter, so they see Neovim as a user's session
-- would, and the event loop keeps running while they wait on the server.
local spec = vim.env.BURROW_TEST_SPEC

local function finish(code)
  vim.cmd((code == 0 and 'qall!') or ('cquit ' .. code))
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok_busted, runner = pcall(require, 'busted.runner')
      if not ok_busted then
        io.stderr:write('busted is not installed (Debian: apt-get install lua-busted; or set BURROW_BUSTED_LUA): ' .. tostring(runner) .. '\n')
        return finish(3)
      end
      _G.arg = { '--output=helpers.report', '--no-auto-insulate', spec }
      -- busted ends a failing run with error() (Lua 5.1 has no exit code for os.exit's callers
      -- inside a host); the report has already been written by then.
      pcall(runner, { standalone = false })
      local report = require('helpers.report')
      finish(math.min(report.failed, 100))
    end)
  end,
})
