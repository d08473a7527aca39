-- Burrow for Neovim: the public API. `setup(opts)` starts a client named `burrow` for the current
-- and later buffers; the other functions are what the `:Burrow` commands and the keys in the plan
-- float and the diff tab call, so anything a key does can also be scripted.
local client = require('burrow.client')
local config = require('burrow.config')
local tasks = require('burrow.tasks')

local M = {}

local function notify(text, level)
  vim.notify(text, level or vim.log.levels.INFO)
end

-- `level` comes from the server's error code (burrow/errors.lua); without one, an error.
local function report(err, level)
  if err then
    notify(err, level or vim.log.levels.ERROR)
    return true
  end
  return false
end

-- Runs a server command and hands its result to `on_success` only when the command succeeded: a
-- failure has already been shown to the user, so there is nothing else to display.
local function execute_or_report(command, argument, on_success)
  client.execute(command, argument, function(err, result, level)
    if not report(err, level) then
      on_success(result)
    end
  end)
end

--- Configure the plugin and start Burrow for the current and later buffers.
---@param opts table|nil see :help burrow-setup
function M.setup(opts)
  config.set(opts)
  if config.options.autostart then
    client.autostart()
  end
end

--- The text for a statusline: the newest unfinished task's state, or ''.
function M.statusline()
  return require('burrow.progress').statusline()
end

--- Start a task. `range` is an LSP range in the current buffer (a selection), or nil; `options`
--- may name a `provider` and `model` for this task alone.
---@param prompt string
---@param range table|nil
---@param options table|nil { provider?, model? }
function M.task(prompt, range, options)
  if not prompt or vim.trim(prompt) == '' then
    vim.ui.input({ prompt = 'Task for Burrow: ' }, function(text)
      if text and vim.trim(text) ~= '' then
        M.task(text, range, options)
      end
    end)
    return
  end
  local buf = vim.api.nvim_get_current_buf()
  local argument = { prompt = prompt }
  options = options or {}
  argument.provider = options.provider
  argument.model = options.model
  if vim.bo[buf].buftype == '' and vim.api.nvim_buf_get_name(buf) ~= '' then
    argument.uri = vim.uri_from_bufnr(buf)
    argument.range = range
  end
  client.execute('burrow.task', argument, function(err, result, level)
    if report(err, level) then
      return
    end
    local id = result and result.taskId
    if id and not tasks.get(id) then
      tasks.update({ taskId = id, state = 'planning' })
    end
    notify(string.format('Burrow: task %s started; the plan opens when it is ready.', id or '?'))
  end)
end

-- The task a decision applies to: the one given, else the newest waiting at one of `gates`.
local function pick(task_id, gates, what)
  if task_id then
    return task_id
  end
  local task = tasks.latest_awaiting(gates)
  if not task then
    notify('Burrow: no task is waiting for ' .. what .. '.', vim.log.levels.WARN)
    return nil
  end
  return task.taskId
end

local function decided(err, _, level)
  report(err, level)
end

--- Gate 1: approve the plan (or allow sending files to the cloud model the task names).
function M.approve(task_id)
  local id = pick(task_id, { plan = true, consent = true }, 'plan approval')
  if id then
    require('burrow.plan').close(id)
    client.execute('burrow.plan.approve', { taskId = id }, decided)
  end
end

--- Gate 1: re-plan with feedback. Without feedback, asks for it.
function M.revise(feedback, task_id)
  local id = pick(task_id, { plan = true }, 'plan approval')
  if not id then
    return
  end
  if not feedback or vim.trim(feedback) == '' then
    vim.ui.input({ prompt = 'What should Burrow change in the plan? ' }, function(text)
      if text and vim.trim(text) ~= '' then
        M.revise(text, id)
      end
    end)
    return
  end
  require('burrow.plan').close(id)
  client.execute('burrow.plan.revise', { taskId = id, feedback = feedback }, decided)
end

--- The argument of a decision that may carry the user's words: `{taskId, feedback?}`, with blank
--- feedback left out so the server does not record an empty remark.
local function with_feedback(task_id, feedback)
  local argument = { taskId = task_id }
  if feedback and vim.trim(feedback) ~= '' then
    argument.feedback = feedback
  end
  return argument
end

--- Reject the plan or the changes of a task (the newest waiting at either gate), ending it.
function M.reject(feedback, task_id)
  local task = task_id and tasks.get(task_id) or tasks.latest_awaiting()
  if not task then
    notify('Burrow: no task is waiting for a decision.', vim.log.levels.WARN)
    return
  end
  local argument = with_feedback(task.taskId, feedback)
  -- Consent is answered through the plan commands (reject = do not send).
  local command = tasks.gate(task) == 'changes' and 'burrow.changes.reject' or 'burrow.plan.reject'
  require('burrow.plan').close(task.taskId)
  require('burrow.review').close(task.taskId)
  client.execute(command, argument, decided)
end

--- Reject after asking for (optional) feedback; cancelling the prompt rejects nothing.
function M.reject_with_prompt(task_id)
  vim.ui.input({ prompt = 'Reject. Feedback for Burrow (optional): ' }, function(text)
    if text ~= nil then
      M.reject(text, task_id)
    end
  end)
end

--- Gate 2: apply the given hunks (by id) of a task.
function M.apply_hunks(task_id, hunk_ids)
  client.execute('burrow.changes.apply', { taskId = task_id, hunks = hunk_ids }, decided)
end

--- Gate 2: accept every hunk of the newest task waiting with changes.
function M.apply(task_id)
  local id = pick(task_id, { changes = true }, 'its changes to be applied')
  if id then
    require('burrow.review').close(id)
    client.execute('burrow.changes.apply', { taskId = id }, decided)
  end
end

--- Submit the decisions made in the open diff tab.
function M.submit()
  require('burrow.review').submit()
end

--- Reopen the plan float or the diff tab of the newest task waiting at a gate.
function M.show()
  local task = tasks.latest_awaiting()
  if not task then
    notify('Burrow: no task is waiting for a decision.', vim.log.levels.WARN)
  elseif tasks.gate(task) ~= 'changes' then
    require('burrow.plan').open(task)
  else
    require('burrow.review').open(task)
  end
end

--- Close the plan float, the diff tab or the chat window, whichever is current.
function M.close()
  local plan, review = require('burrow.plan'), require('burrow.review')
  if plan.current then
    plan.close()
  elseif review.current then
    review.close()
  else
    require('burrow.chat').close()
  end
end

--- Cancel the newest unfinished task (or the given one).
function M.cancel(task_id)
  local task = task_id and { taskId = task_id } or tasks.latest_active()
  if not task then
    notify('Burrow: no task is running.', vim.log.levels.WARN)
    return
  end
  client.execute('burrow.task.cancel', { taskId = task.taskId }, decided)
end

--- Run a finished task again: after a rejection or failure it regenerates the edits (or the plan,
--- after a rejected plan) with the feedback, and waits at the gates again.
function M.retry(feedback, task_id)
  local task = task_id and { taskId = task_id }
    or tasks.latest(function(t)
      return t.state == 'rejected' or t.state == 'failed' or t.state == 'applied'
    end)
  if not task then
    notify('Burrow: no rejected, failed or applied task to retry.', vim.log.levels.WARN)
    return
  end
  local argument = with_feedback(task.taskId, feedback)
  client.execute('burrow.task.retry', argument, decided)
end

--- Undo the newest applied task (or the given one), asking the server when this session has
--- not seen one applied.
function M.undo(task_id)
  local function undo(id)
    execute_or_report('burrow.undo', { taskId = id }, function()
      notify('Burrow: undoing task ' .. id .. '.')
    end)
  end
  if task_id then
    return undo(task_id)
  end
  local task = tasks.latest(function(t)
    return t.state == 'applied'
  end)
  if task then
    return undo(task.taskId)
  end
  execute_or_report('burrow.task.status', {}, function(result)
    for _, t in ipairs(result and result.tasks or {}) do
      if t.state == 'applied' then
        return undo(t.taskId)
      end
    end
    notify('Burrow: no applied task to undo.', vim.log.levels.WARN)
  end)
end

--- Show every task of the session, newest first.
function M.status()
  execute_or_report('burrow.task.status', {}, function(result)
    require('burrow.view').status(result and result.tasks or {})
  end)
end

--- Show the installed models and the recommendation for this machine.
function M.models()
  execute_or_report('burrow.models.list', {}, function(result)
    require('burrow.view').models(result)
  end)
end

--- Show the server's own diagnosis (runtime reachable, model installed, state directory).
function M.doctor()
  execute_or_report('burrow.doctor', {}, function(result)
    require('burrow.view').doctor(result)
  end)
end

local function absolute(path)
  if not path or path == '' then
    return vim.fn.getcwd()
  end
  return (vim.fn.fnamemodify(vim.fn.expand(path), ':p'):gsub('/$', ''))
end

-- Granting and withdrawing a folder differ only in the command sent and in the notice that
-- confirms it; `notice` has a %s where the folder's absolute path goes.
local function change_access(command, path, notice)
  local dir = absolute(path)
  execute_or_report(command, { path = dir }, function()
    notify(notice:format(dir))
  end)
end

--- Let Burrow read and write a folder outside the workspace root.
function M.grant(path)
  change_access('burrow.grant', path, 'Burrow may now read and write %s.')
end

--- Withdraw a folder granted earlier.
function M.revoke(path)
  change_access('burrow.revoke', path, 'Burrow may no longer read or write %s.')
end

--- Open the chat buffer; with a prompt, send it at once.
function M.chat(prompt)
  local chat = require('burrow.chat')
  chat.open()
  if prompt and vim.trim(prompt) ~= '' then
    chat.send(prompt)
  end
end

--- Send what is typed under "## You" in the chat buffer.
function M.send()
  require('burrow.chat').send()
end

return M
