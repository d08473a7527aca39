-- Progress while Burrow works: one line in the command line on every state change, and the text
-- `require('burrow').statusline()` returns. Users who want more can listen to the
-- `User BurrowTaskUpdate` autocommand, fired after every update.
local config = require('burrow.config')
local tasks = require('burrow.tasks')

local M = {}

local phrases = {
  queued = 'waiting for another task to finish with its files',
  planning = 'planning',
  awaitingPlanApproval = 'plan ready for review',
  editing = 'writing the edits',
  awaitingChangesApproval = 'diff ready for review',
  applying = 'applying the approved changes',
  applied = 'applied',
  rejected = 'rejected',
  cancelled = 'cancelled',
  failed = 'failed',
}

--- A short sentence for a task's state.
function M.describe(task)
  local phrase = phrases[task.state] or task.state
  if tasks.gate(task) == 'consent' and type(task.consent) == 'table' then
    return string.format('task %s asks to send files to %s', task.taskId, task.consent.host or 'a cloud model')
  end
  local summary = task.plan and task.plan.summary
  if summary and summary ~= '' and task.state ~= 'planning' then
    return string.format('task %s %s: %s', task.taskId, phrase, summary)
  end
  return string.format('task %s %s', task.taskId, phrase)
end

local function echo(text, hl)
  -- Truncate to the screen so a long summary never triggers a hit-enter prompt.
  local width = math.max(vim.o.columns - 12, 20)
  if vim.fn.strdisplaywidth(text) > width then
    text = vim.fn.strcharpart(text, 0, width - 1) .. '…'
  end
  vim.api.nvim_echo({ { text, hl } }, false, {})
end

--- Show a task's new state: in the command line, and through a redraw of the statuslines.
function M.show(task)
  if config.options.echo_progress then
    local hl = task.state == 'failed' and 'ErrorMsg' or (tasks.gate(task) and 'WarningMsg' or 'None')
    echo('Burrow: ' .. M.describe(task), hl)
  end
  vim.cmd('redrawstatus!')
  if vim.fn.exists('#User#BurrowTaskUpdate') == 1 then
    vim.cmd('doautocmd <nomodeline> User BurrowTaskUpdate')
  end
end

-- The latest `$/progress` message from Burrow, by progress token (cleared when that progress ends).
M.messages = {}
local latest_token

--- A `$/progress` notification from Burrow: `begin` names the task, `report` says what the model
--- or the pipeline is doing now, `end` clears it.
function M.on_progress(params)
  if type(params) ~= 'table' or type(params.value) ~= 'table' then
    return
  end
  local token, value = tostring(params.token), params.value
  if value.kind == 'end' then
    M.messages[token] = nil
    if latest_token == token then
      latest_token = nil
    end
  else
    local text = value.message or value.title
    if text then
      if value.percentage then
        text = string.format('%s (%d%%)', text, value.percentage)
      end
      M.messages[token] = text
      latest_token = token
      if value.kind == 'report' and config.options.echo_progress and value.message then
        echo('Burrow: ' .. value.message, 'None')
      end
    end
  end
  vim.cmd('redrawstatus!')
end

--- The statusline component: the newest unfinished task's state, with what it is doing now when
--- Burrow reports it, or an empty string when no task runs.
function M.statusline()
  local task = tasks.latest_active()
  if not task then
    return ''
  end
  if tasks.gate(task) == 'consent' then
    return 'Burrow: waiting for consent'
  end
  local text = 'Burrow: ' .. (phrases[task.state] or task.state)
  local now = latest_token and M.messages[latest_token]
  if now and not tasks.gate(task) then
    text = text .. ' · ' .. now
  end
  return text
end

return M
