-- The Lua side of the Neovim test harness: run a test script, wait on conditions with vim.wait
-- (never fixed sleeps), and report through a JSON file plus the exit code. It also holds the steps
-- many scripts share: starting a task, waiting for a task state or a written buffer, and recording
-- what reaches vim.notify.
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

--- Start a task with :Burrow task and wait for its plan; returns the task's id. Most scripts begin
--- here, and waiting on the task list (not the float) lets them decide with commands or keys.
function M.start_task(prompt)
  local tasks = require('burrow.tasks')
  vim.cmd('Burrow task ' .. prompt)
  M.wait_for('the plan', function()
    return tasks.latest_awaiting({ plan = true }) ~= nil
  end)
  return tasks.latest_awaiting({ plan = true }).taskId
end

--- Wait until task `id` is in `state`; `what` names the wait in the timeout's message.
function M.wait_for_state(id, state, what)
  local tasks = require('burrow.tasks')
  M.wait_for(what, function()
    return tasks.get(id).state == state
  end)
end

--- Wait until `buf` has no unsaved changes: Burrow writes a buffer it edited after the apply.
function M.wait_for_written(buf)
  M.wait_for('the buffer to be written', function()
    return not vim.bo[buf].modified
  end)
end

--- Record what reaches vim.notify from now on, passing it on to the real vim.notify unless
--- `swallow` is set; returns the list of `{ msg, level }` and a function that stops recording.
function M.record_notes(swallow)
  local notes = {}
  local original = vim.notify
  vim.notify = function(msg, level)
    table.insert(notes, { msg = msg, level = level })
    if not swallow then
      original(msg, level)
    end
  end
  return notes, function()
    vim.notify = original
  end
end

--- The messages of the recorded `notes` sent at `level`, in order.
function M.messages_at(notes, level)
  local messages = {}
  for _, note in ipairs(notes) do
    if note.level == level then
      table.insert(messages, note.msg)
    end
  end
  return messages
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
