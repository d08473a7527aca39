-- What the plugin's specs share: waiting on conditions with vim.wait (never fixed sleeps), typing
-- keys, files and throwaway workspaces, starting the plugin against the real server, stepping a task
-- through its gates, and putting Neovim back to a clean state between tests.
local M = {}

M.model = require('helpers.model')

local uv = vim.uv or vim.loop

--- The server command: BURROW_TEST_SERVER (a JSON list, set by the runner to this checkout's
--- `node bin/burrow.js --stdio`), else `burrow --stdio` from $PATH.
function M.server_cmd()
  local raw = vim.env.BURROW_TEST_SERVER
  if raw and raw ~= '' then
    return vim.json.decode(raw)
  end
  return { 'burrow', '--stdio' }
end

--- True when this Neovim is at least `version` ("0.11").
function M.has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

--- On Neovim older than `version`, the reason a test cannot run there ("needs Neovim 0.11: why"),
--- for the spec to hand to busted's pending(); nil on `version` and newer. Only for features that
--- do not exist on the older version.
function M.lacks(version, why)
  if M.has(version) then
    return nil
  end
  return 'needs Neovim ' .. version .. ': ' .. why
end

--- Wait until `predicate()` is true, processing events meanwhile; fail the test on timeout.
function M.wait_for(what, predicate, timeout_ms)
  local last_error
  local ok = vim.wait(timeout_ms or 20000, function()
    local good, value = pcall(predicate)
    if not good then
      last_error = value
    end
    return good and value
  end, 10)
  if not ok then
    error('timed out waiting for ' .. what .. (last_error and (' (' .. tostring(last_error) .. ')') or ''), 2)
  end
end

--- Feed keys as if typed, mappings included, and process them now.
function M.keys(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'mx', false)
end

function M.read_file(path)
  local file = io.open(path, 'rb')
  if not file then
    return nil
  end
  local text = file:read('*a')
  file:close()
  return text
end

function M.write_file(path, text)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
  local file = assert(io.open(path, 'wb'))
  file:write(text)
  file:close()
  return path
end

--- A buffer's text as it would be written: its lines, joined, with a final newline when 'eol' says so.
function M.buffer_text(buf)
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  if vim.bo[buf].eol and vim.api.nvim_buf_line_count(buf) > 0 then
    text = text .. '\n'
  end
  return text
end

--- `n` lines made by `format` with the line number (string.format('let v%d = %d;', i, i)).
function M.numbered(format, n)
  local out = {}
  for i = 1, n do
    out[i] = format:format(i, i)
  end
  return out
end

--- `lines` with some replaced ({ [number] = text }) and some appended, as text: joined by `eol`
--- ("\n" unless given), with a final `eol` unless `final` is false.
function M.text(lines, changes, appended, eol, final)
  local out = vim.deepcopy(lines)
  for i, line in pairs(changes or {}) do
    out[i] = line
  end
  vim.list_extend(out, appended or {})
  eol = eol or '\n'
  return table.concat(out, eol) .. (final == false and '' or eol)
end

--- A new workspace (a folder with a .git marker) holding `files` ({ [relative path] = text }), made
--- the current directory. Returns it with `path(rel)` and `read(rel)`.
function M.workspace(files)
  local root = vim.fn.tempname()
  vim.fn.mkdir(root .. '/.git', 'p')
  root = uv.fs_realpath(root)
  for rel, text in pairs(files or {}) do
    M.write_file(root .. '/' .. rel, text)
  end
  vim.cmd('cd ' .. vim.fn.fnameescape(root))
  return {
    root = root,
    path = function(rel)
      return root .. '/' .. rel
    end,
    read = function(rel)
      return M.read_file(root .. '/' .. rel)
    end,
  }
end

--- require('burrow').setup() with the test server and a small model, merged with `opts`.
function M.setup(opts)
  require('burrow').setup(vim.tbl_deep_extend('force', {
    cmd = M.server_cmd(),
    settings = { models = { coder = 'qwen2.5-coder:1.5b' } },
  }, opts or {}))
end

--- Open a file of the workspace in the current window.
function M.edit(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

--- Start a task with :Burrow task and wait for its plan; returns the task's id.
function M.start_task(prompt)
  local tasks = require('burrow.tasks')
  vim.cmd('Burrow task ' .. prompt)
  M.wait_for('the plan', function()
    return tasks.latest_awaiting({ plan = true }) ~= nil
  end)
  return tasks.latest_awaiting({ plan = true }).taskId
end

--- Wait until task `id` is in `state`.
function M.wait_for_state(id, state)
  local tasks = require('burrow.tasks')
  M.wait_for('task ' .. id .. ' to be ' .. state, function()
    local task = tasks.get(id)
    if task and task.state == 'failed' and state ~= 'failed' then
      error('the task failed: ' .. vim.inspect(task.error), 0)
    end
    return task and task.state == state
  end)
end

--- Wait until no file buffer holds unsaved changes (Burrow writes what it edited after applying).
function M.wait_for_written()
  M.wait_for('every edited buffer to be written', function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].buftype == '' and vim.bo[buf].modified then
        return false
      end
    end
    return true
  end)
end

--- Stub vim.ui.input so prompts answer `text` at once; returns the list of prompts shown.
function M.answer_prompts(text)
  local prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, opts and opts.prompt or '')
    on_confirm(text)
  end
  return prompts
end

local real = { notify = vim.notify, input = vim.ui.input }

--- Record what reaches vim.notify from now on (passed on unless `swallow`); returns the list of
--- { msg, level }. reset() stops recording.
function M.record_notes(swallow)
  local notes = {}
  vim.notify = function(msg, level)
    table.insert(notes, { msg = msg, level = level })
    if not swallow then
      real.notify(msg, level)
    end
  end
  return notes
end

--- The messages of `notes` at `level`, in order.
function M.messages_at(notes, level)
  local out = {}
  for _, note in ipairs(notes) do
    if note.level == level then
      table.insert(out, note.msg)
    end
  end
  return out
end

--- Back to a clean Neovim between tests: the Burrow clients stopped, the plugin's views closed and
--- its task list emptied, every buffer but one wiped, and the stubs undone.
function M.reset()
  vim.notify, vim.ui.input = real.notify, real.input
  M.model.forget()
  local compat = require('burrow.compat')
  local clients = compat.clients('burrow')
  for _, client in ipairs(clients) do
    if compat.has('0.11') then
      client:stop(true)
    else
      client.stop(true)
    end
  end
  vim.wait(5000, function()
    return #compat.clients('burrow') == 0
  end, 10)
  pcall(require('burrow.plan').close)
  pcall(require('burrow.review').close)
  pcall(require('burrow.chat').close)
  local tasks = require('burrow.tasks')
  tasks.by_id, tasks.order = {}, {}
  vim.cmd('silent! tabonly!')
  vim.cmd('silent! only!')
  vim.cmd('enew!')
  local keep = vim.api.nvim_get_current_buf()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if buf ~= keep then
      pcall(vim.api.nvim_buf_delete, buf, { force = true })
    end
  end
end

return M
