-- The Lua side of the Neovim test harness: run a test script, wait on conditions with vim.wait
-- (never fixed sleeps), and report through a JSON file plus the exit code.
local M = {}

M.params = vim.g.burrow_test or {}

local function write_result(result)
  local file = assert(io.open(M.params.result_path, 'w'))
  file:write(vim.json.encode(result))
  file:close()
end

--- Wait until `predicate()` is true, processing events meanwhile; fail the test on timeout.
function M.wait_for(what, predicate, timeout_ms)
  local ok = vim.wait(timeout_ms or 20000, function()
    local good, value = pcall(predicate)
    return good and value
  end, 20)
  if not ok then
    error('timed out waiting for ' .. what, 0)
  end
end

--- Feed keys as if typed, mappings included, and process them now.
function M.keys(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'mx', false)
end

function M.read_file(path)
  local file = io.open(path, 'r')
  if not file then
    return nil
  end
  local text = file:read('*a')
  file:close()
  return text
end

--- Stub vim.ui.input so prompts answer `text` at once (a headless Neovim has nobody to type).
function M.answer_prompts(text)
  M.prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(M.prompts, opts and opts.prompt or '')
    on_confirm(text)
  end
end

--- Run a test script; its return value is the result. Errors become `{ok=false, error}` and exit 1.
function M.run(path)
  local ok, result = xpcall(function()
    return dofile(path)
  end, debug.traceback)
  if ok then
    result = result or {}
    result.ok = true
    write_result(result)
    vim.cmd('qall!')
  else
    write_result({ ok = false, error = tostring(result), messages = vim.fn.execute('messages') })
    vim.cmd('cquit 1')
  end
end

return M
