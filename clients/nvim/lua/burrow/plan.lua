-- The plan float: gate 1 in Neovim. When a task reaches `awaitingPlanApproval` the plan (summary,
-- steps, files) opens in a centred float with keys to approve, revise or reject it; each key runs
-- the same function as the matching `:Burrow` command, so the float is a shortcut, never the only
-- way to decide. The same float asks for consent before a task sends files to a cloud model.
local compat = require('burrow.compat')
local config = require('burrow.config')
local ui = require('burrow.ui')

local M = {}

-- The open float: { win, buf, taskId }.
M.current = nil

local ns = vim.api.nvim_create_namespace('burrow.plan')

--- The consent question (a task that names a cloud provider asks before any file leaves the
--- machine) as lines, with the line numbers that get a highlight.
function M.render_consent(task, width)
  local consent = task.consent or {}
  local files = consent.files or {}
  local lines, headings = {}, {}
  table.insert(lines, string.format('Burrow · task %s wants to use a cloud model', task.taskId))
  headings[#lines] = 'Title'
  table.insert(lines, '')
  local question = string.format(
    'Send %d file%s (%.1f KB) to %s (%s)? Nothing leaves this machine unless you allow it, and what leaves is recorded (burrow egress).',
    #files,
    #files == 1 and '' or 's',
    (consent.bytes or 0) / 1024,
    consent.host or '?',
    consent.provider or '?'
  )
  vim.list_extend(lines, ui.wrap(question, width))
  if #files > 0 then
    table.insert(lines, '')
    table.insert(lines, 'Files')
    headings[#lines] = 'Title'
    for _, path in ipairs(files) do
      table.insert(lines, '  ' .. path)
    end
  end
  table.insert(lines, '')
  local keys = config.options.plan_keys
  M.footer(lines, headings, { { keys.approve, 'allow' }, { keys.reject, 'do not send' }, { keys.close, 'close' } })
  return lines, headings
end

--- The plan as lines, with the line numbers that get a highlight.
function M.render(task, width)
  local plan = task.plan or {}
  local lines, headings = {}, {}
  local function heading(text)
    table.insert(lines, text)
    headings[#lines] = 'Title'
  end
  heading(string.format('Burrow plan · task %s', task.taskId))
  table.insert(lines, '')
  vim.list_extend(lines, ui.wrap(plan.summary or '(no summary)', width))
  if plan.steps and #plan.steps > 0 then
    table.insert(lines, '')
    heading('Steps')
    for i, step in ipairs(plan.steps) do
      local text = type(step) == 'table' and (step.description or '') or tostring(step)
      vim.list_extend(lines, ui.wrap(text, width, '     ', string.format('  %d. ', i)))
    end
  end
  if plan.files and #plan.files > 0 then
    table.insert(lines, '')
    heading('Files')
    for _, file in ipairs(plan.files) do
      local head = string.format('  %-7s %s', file.action or '', file.path or '')
      if file.reason and file.reason ~= '' then
        vim.list_extend(lines, ui.wrap(file.reason, width, '          ', head .. ' — '))
      else
        table.insert(lines, head)
      end
      -- A file the sandbox will not let Burrow touch (outside the workspace, a secret): say why.
      if type(file.refused) == 'string' and file.refused ~= '' then
        for _, line in ipairs(ui.wrap('refused: ' .. file.refused, width, '          ', '          ')) do
          table.insert(lines, line)
          headings[#lines] = 'WarningMsg'
        end
      end
    end
  end
  table.insert(lines, '')
  local keys = config.options.plan_keys
  M.footer(lines, headings, {
    { keys.approve, 'approve' },
    { keys.revise, 'revise' },
    { keys.reject, 'reject' },
    { keys.close, 'close' },
  })
  return lines, headings
end

--- Append the key line: each key highlighted, its meaning dimmed. Highlights are recorded as
--- `headings[line] = { {group, start_col, end_col}, … }`.
function M.footer(lines, headings, entries)
  local text, spans = '', {}
  for i, entry in ipairs(entries) do
    if i > 1 then
      text = text .. '   '
    end
    table.insert(spans, { 'Special', #text, #text + #entry[1] })
    text = text .. entry[1]
    table.insert(spans, { 'Comment', #text, #text + #entry[2] + 1 })
    text = text .. ' ' .. entry[2]
  end
  table.insert(lines, text)
  headings[#lines] = spans
end

--- Open (or refresh) the float for a task waiting at gate 1. The same plan republished leaves the
--- open float alone rather than stealing the focus again.
function M.open(task)
  local current = M.current
  if
    current
    and current.taskId == task.taskId
    and current.gate == require('burrow.tasks').gate(task)
    and vim.deep_equal(current.plan, task.plan)
    and vim.api.nvim_win_is_valid(current.win)
  then
    return current.win
  end
  M.close()
  local width = math.min(80, vim.o.columns - 8)
  local consent = require('burrow.tasks').gate(task) == 'consent'
  local lines, highlights
  if consent then
    lines, highlights = M.render_consent(task, width)
  else
    lines, highlights = M.render(task, width)
  end
  -- One column of padding inside the border.
  for i, line in ipairs(lines) do
    lines[i] = line == '' and '' or (' ' .. line)
  end
  local buf = ui.scratch(nil, lines)
  for lnum, group in pairs(highlights) do
    if type(group) == 'table' then
      for _, span in ipairs(group) do
        compat.highlight(buf, ns, span[1], lnum - 1, span[2] + 1, span[3] + 1)
      end
    else
      compat.highlight(buf, ns, group, lnum - 1, 0)
    end
  end
  if vim.fn.mode() ~= 'n' then
    vim.cmd('stopinsert')
  end
  local win = ui.float(buf, lines, { min_width = 50 })
  M.current = { win = win, buf = buf, taskId = task.taskId, plan = task.plan, gate = require('burrow.tasks').gate(task) }

  local burrow = require('burrow')
  local id = task.taskId
  local keys = config.options.plan_keys
  ui.map(buf, keys.approve, function()
    burrow.approve(id)
  end, 'Burrow: approve this plan (:Burrow approve)')
  if consent then
    ui.map(buf, keys.reject, function()
      burrow.reject(nil, id)
    end, 'Burrow: do not send the files (:Burrow reject)')
  else
    ui.map(buf, keys.revise, function()
      burrow.revise(nil, id)
    end, 'Burrow: revise this plan with feedback (:Burrow revise)')
    ui.map(buf, keys.reject, function()
      burrow.reject_with_prompt(id)
    end, 'Burrow: reject this plan (:Burrow reject)')
  end
  ui.map(buf, keys.close, M.close, 'Burrow: close the plan; the task keeps waiting (:Burrow close)')
  vim.api.nvim_create_autocmd('WinClosed', {
    pattern = tostring(win),
    once = true,
    callback = function()
      if M.current and M.current.win == win then
        M.current = nil
      end
    end,
  })
  return win
end

--- Close the float if it is open (optionally only when it shows the given task).
function M.close(task_id)
  local current = ui.take_current(M, task_id)
  if not current then
    return
  end
  if vim.api.nvim_win_is_valid(current.win) then
    vim.api.nvim_win_close(current.win, true)
  end
end

return M
