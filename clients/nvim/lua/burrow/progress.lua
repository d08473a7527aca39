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

--- The statusline component: the newest unfinished task's state, or an empty string.
function M.statusline()
  local task = tasks.latest_active()
  if not task then
    return ''
  end
  if tasks.gate(task) == 'consent' then
    return 'Burrow: waiting for consent'
  end
  return 'Burrow: ' .. (phrases[task.state] or task.state)
end

return M
