-- The diff review tab: gate 2 in Neovim, the view of the review model (review_model.lua). For each
-- file Burrow proposes to change, the current text (left) sits beside the proposed text (right) in
-- Vim's diff mode. Both sides are scratch buffers: nothing reaches a real buffer or the disk until
-- the user submits, and then only the accepted hunks, through `burrow.changes.apply` and the
-- server's `workspace/applyEdit`.
local config = require('burrow.config')
local model = require('burrow.review_model')
local ui = require('burrow.ui')

local M = {}

-- The open review: { taskId, files, file_index, tab, left_win, right_win }.
M.current = nil

-- Decisions of a review closed before it was submitted, so reopening it keeps them:
-- { taskId, diff, decisions = { [hunkId] = 'accepted'|'rejected'|'pending' } }.
local saved = nil

local ns = vim.api.nvim_create_namespace('burrow.review')

local marks = {
  pending = { sign = '│', text = ' pending ', hl = 'BurrowPending' },
  accepted = { sign = '✓', text = ' ✓ accepted ', hl = 'BurrowAccepted' },
  rejected = { sign = '✗', text = ' ✗ rejected ', hl = 'BurrowRejected' },
}

local function current_lines(fname)
  local buf = vim.fn.bufnr('^' .. vim.fn.escape(fname, '\\/.*$^~[]') .. '$')
  if buf ~= -1 and vim.api.nvim_buf_is_loaded(buf) then
    return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  end
  if vim.fn.filereadable(fname) == 1 then
    local lines = vim.fn.readfile(fname)
    for n, line in ipairs(lines) do
      lines[n] = line:gsub('\r$', '')
    end
    return lines
  end
  return {}
end

--- The review model of a task, read against the open buffers and the disk; says so when the files
--- changed since Burrow read them.
function M.build(task)
  local client = require('burrow.client').running()
  local files, problems = model.build(task, { root = client and client.config.root_dir or vim.fn.getcwd(), read = current_lines })
  if #problems > 0 then
    vim.notify(
      'Burrow: the files changed since Burrow read them, so the preview may be off and applying may be refused ('
        .. table.concat(problems, '; ')
        .. ').',
      vim.log.levels.WARN
    )
  end
  return files
end

local row = model.row

local function statusline_text(review)
  local file = review.files[review.file_index]
  local c = model.counts(review.files)
  local text = string.format(
    ' %s (%d/%d)%%=%d accepted · %d rejected · %d left ',
    file.path:gsub('%%', '%%%%'),
    review.file_index,
    #review.files,
    c.accepted,
    c.rejected,
    c.pending
  )
  return text
end

--- One line naming the keys, shown in the command line when the tab opens.
function M.key_help()
  local k = config.options.review_keys
  return string.format(
    '%s/%s hunks · %s accept · %s reject · %s accept all · %s reject all · %s apply accepted · %s close',
    k.next_hunk,
    k.prev_hunk,
    k.accept,
    k.reject,
    k.accept_all,
    k.reject_all,
    k.submit,
    k.close
  )
end

local function redraw_marks(review)
  local file = review.files[review.file_index]
  for _, side in ipairs({ 'old', 'new' }) do
    local buf = file.bufs[side]
    vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
    local line_count = vim.api.nvim_buf_line_count(buf)
    for _, hunk in ipairs(file.hunks) do
      local mark = marks[hunk.decision]
      local text = mark.text
      if side == 'new' and hunk.decision == 'pending' then
        text = string.format(' hunk %s pending ', hunk.id)
      end
      local chunks = { { text, mark.hl } }
      if side == 'new' and model.tier_notes[hunk.tier] then
        table.insert(chunks, { ' ' .. model.tier_notes[hunk.tier] .. ' ', 'WarningMsg' })
      end
      vim.api.nvim_buf_set_extmark(buf, ns, row(hunk, side, line_count), 0, {
        virt_text = chunks,
        virt_text_pos = 'eol',
        sign_text = mark.sign,
        sign_hl_group = mark.hl,
      })
    end
  end
  if vim.api.nvim_win_is_valid(review.right_win) then
    vim.wo[review.right_win].statusline = statusline_text(review)
  end
  if vim.api.nvim_win_is_valid(review.left_win) then
    local label = file.created and 'new file' or (file.deleted and 'deleted' or 'now')
    vim.wo[review.left_win].statusline = string.format(' %s: %s', label, (file.path:gsub('%%', '%%%%')))
  end
end

local function set_keys(buf)
  local keys = config.options.review_keys
  local burrow = require('burrow')
  ui.map(buf, keys.next_hunk, function()
    M.jump(1)
  end, 'Burrow: next hunk (:Burrow hunk next)')
  ui.map(buf, keys.prev_hunk, function()
    M.jump(-1)
  end, 'Burrow: previous hunk (:Burrow hunk prev)')
  ui.map(buf, keys.next_file, function()
    M.show_file_relative(1)
  end, 'Burrow: next file (:Burrow file next)')
  ui.map(buf, keys.prev_file, function()
    M.show_file_relative(-1)
  end, 'Burrow: previous file (:Burrow file prev)')
  ui.map(buf, keys.accept, function()
    M.decide('accepted')
  end, 'Burrow: accept the hunk under the cursor (:Burrow hunk accept)')
  ui.map(buf, keys.reject, function()
    M.decide('rejected')
  end, 'Burrow: reject the hunk under the cursor (:Burrow hunk reject)')
  ui.map(buf, keys.accept_all, function()
    M.decide_all('accepted')
  end, 'Burrow: accept every hunk (:Burrow hunk accept-all)')
  ui.map(buf, keys.reject_all, function()
    burrow.reject_with_prompt(M.current and M.current.taskId)
  end, 'Burrow: reject all changes with feedback (:Burrow reject)')
  ui.map(buf, keys.submit, M.submit, 'Burrow: apply the accepted hunks (:Burrow submit)')
  ui.map(buf, keys.close, M.close, 'Burrow: close the review; the task keeps waiting (:Burrow close)')
end

local function ensure_buffers(review, file)
  if file.bufs and vim.api.nvim_buf_is_valid(file.bufs.old) and vim.api.nvim_buf_is_valid(file.bufs.new) then
    return
  end
  -- Short names keep the tab label readable; only one review is open at a time.
  local base = 'burrow://'
  file.bufs = {
    old = ui.scratch(base .. 'current/' .. file.path, file.old),
    new = ui.scratch(base .. 'proposed/' .. file.path, file.new),
  }
  for _, buf in pairs(file.bufs) do
    -- Hidden, not wiped: switching files in the tab keeps them for coming back.
    vim.bo[buf].bufhidden = 'hide'
    vim.api.nvim_buf_call(buf, function()
      vim.cmd('silent! doautocmd filetypedetect BufRead ' .. vim.fn.fnameescape(file.fname))
    end)
    set_keys(buf)
  end
end

--- Show file `index` of the review in the tab's two windows.
function M.show_file(index)
  local review = M.current
  if not review then
    return
  end
  index = math.max(1, math.min(index, #review.files))
  review.file_index = index
  local file = review.files[index]
  ensure_buffers(review, file)
  for _, pair in ipairs({ { review.left_win, file.bufs.old }, { review.right_win, file.bufs.new } }) do
    local win, buf = pair[1], pair[2]
    vim.api.nvim_win_call(win, function()
      vim.cmd('diffoff')
      vim.api.nvim_win_set_buf(win, buf)
      vim.cmd('diffthis')
      vim.wo[win].foldenable = false
      vim.wo[win].signcolumn = 'yes'
    end)
  end
  redraw_marks(review)
  vim.api.nvim_set_current_win(review.right_win)
  local first = file.hunks[1]
  if first then
    vim.api.nvim_win_set_cursor(review.right_win, { row(first, 'new', #file.new) + 1, 0 })
  end
end

function M.show_file_relative(delta)
  if M.current then
    M.show_file(((M.current.file_index - 1 + delta) % #M.current.files) + 1)
  end
end

-- Where the user is in the review: the file shown, the window with the cursor and its side ('old'
-- left, 'new' right), that cursor's line, and the side's line count. Finding a hunk and
-- jumping between hunks both measure from this place, so they must agree on it.
local function cursor_place(review)
  local file = review.files[review.file_index]
  local win = vim.api.nvim_get_current_win()
  if win ~= review.left_win and win ~= review.right_win then
    -- Run from another window (a mapping of the user's): the proposal's cursor decides.
    win = review.right_win
  end
  local side = win == review.left_win and 'old' or 'new'
  local cursor = vim.api.nvim_win_get_cursor(win)[1]
  local line_count = side == 'new' and #file.new or #file.old
  return file, win, side, cursor, line_count
end

--- The hunk under the cursor: the one whose lines hold the cursor, else the nearest one above,
--- else the first.
function M.hunk_at_cursor()
  local review = M.current
  if not review then
    return nil
  end
  local file, _, side, cursor = cursor_place(review)
  return model.hunk_at(file, side, cursor), file
end

--- Move to the next (delta 1) or previous (-1) hunk, crossing into the next file at the end.
function M.jump(delta)
  local review = M.current
  if not review then
    return
  end
  local file, win, side, cursor = cursor_place(review)
  local target = model.step(file, side, cursor, delta)
  if target then
    vim.api.nvim_win_set_cursor(win, { target, 0 })
    return
  end
  -- Past the last hunk of a file, go on into the next file; stop at either end, as ]c does.
  local next_index = review.file_index + delta
  if next_index < 1 or next_index > #review.files then
    vim.api.nvim_echo({ { delta > 0 and 'Burrow: this is the last hunk.' or 'Burrow: this is the first hunk.', 'WarningMsg' } }, false, {})
    return
  end
  M.show_file(next_index)
  if delta < 0 then
    local f = review.files[review.file_index]
    local last = f.hunks[#f.hunks]
    if last then
      vim.api.nvim_win_set_cursor(review.right_win, { row(last, 'new', #f.new) + 1, 0 })
    end
  end
end

--- Accept or reject the hunk under the cursor, then move to the next hunk still pending.
---@param decision 'accepted'|'rejected'
function M.decide(decision)
  local hunk = M.hunk_at_cursor()
  if not hunk then
    vim.notify('Burrow: no review is open; :Burrow review opens the latest diff.', vim.log.levels.WARN)
    return
  end
  hunk.decision = decision
  redraw_marks(M.current)
  M.next_pending()
end

--- Put the cursor on the next pending hunk after the current one, if any.
function M.next_pending()
  local review = M.current
  local index, hunk = model.next_pending(review.files, review.file_index)
  if not hunk then
    return
  end
  if index ~= review.file_index then
    M.show_file(index)
  end
  vim.api.nvim_win_set_cursor(review.right_win, { row(hunk, 'new', #review.files[index].new) + 1, 0 })
end

function M.decide_all(decision)
  local review = M.current
  if not review then
    return
  end
  model.decide_all(review.files, decision)
  redraw_marks(review)
end

--- The ids of the accepted hunks of the open review, in diff order.
function M.accepted_ids()
  return model.accepted_ids(M.current.files)
end

--- Send the decision: the accepted hunks to `burrow.changes.apply`, or, when none was accepted,
--- a rejection with the user's feedback.
function M.submit()
  local review = M.current
  if not review then
    vim.notify('Burrow: no review is open; :Burrow review opens the latest diff.', vim.log.levels.WARN)
    return
  end
  local burrow = require('burrow')
  local ids = M.accepted_ids()
  local c = model.counts(review.files)
  if #ids == 0 then
    burrow.reject_with_prompt(review.taskId)
    return
  end
  local task_id = review.taskId
  M.close()
  if c.pending > 0 then
    vim.notify(
      string.format('Burrow: applying %d of %d hunks; the %d left undecided are declined.', #ids, c.total, c.pending),
      vim.log.levels.INFO
    )
  end
  burrow.apply_hunks(task_id, ids)
end

--- Open the review tab for a task waiting at gate 2. Reopening the same task's review keeps the
--- decisions already made.
function M.open(task)
  if M.current and M.current.taskId == task.taskId and M.current.diff == task.diff then
    if vim.api.nvim_tabpage_is_valid(M.current.tab) then
      vim.api.nvim_set_current_tabpage(M.current.tab)
      return
    end
  end
  M.close()
  local files = M.build(task)
  if saved and saved.taskId == task.taskId and saved.diff == task.diff then
    model.restore(files, saved.decisions)
  end
  saved = nil
  if #files == 0 then
    vim.notify('Burrow: task ' .. task.taskId .. ' proposes no changes.', vim.log.levels.WARN)
    return
  end
  if vim.fn.mode() ~= 'n' then
    vim.cmd('stopinsert')
  end
  vim.cmd('tabnew')
  local tab = vim.api.nvim_get_current_tabpage()
  local left_win = vim.api.nvim_get_current_win()
  local placeholder = vim.api.nvim_get_current_buf()
  vim.cmd('rightbelow vsplit')
  local right_win = vim.api.nvim_get_current_win()
  M.current = {
    taskId = task.taskId,
    diff = task.diff,
    files = files,
    file_index = 1,
    tab = tab,
    left_win = left_win,
    right_win = right_win,
  }
  M.show_file(1)
  local help = M.key_help()
  -- Longer than the screen, an echo would wait for Enter; cut it instead.
  if vim.fn.strdisplaywidth(help) > vim.o.columns - 12 then
    help = vim.fn.strcharpart(help, 0, vim.o.columns - 13) .. '…'
  end
  vim.api.nvim_echo({ { help, 'Comment' } }, false, {})
  if vim.api.nvim_buf_is_valid(placeholder) and vim.fn.bufwinnr(placeholder) == -1 then
    pcall(vim.api.nvim_buf_delete, placeholder, { force = true })
  end
  -- Closing the tab by hand (:tabclose) ends the review the same way `q` does.
  vim.api.nvim_create_autocmd('TabClosed', {
    group = vim.api.nvim_create_augroup('burrow.review', { clear = true }),
    callback = function()
      if M.current and M.current.tab == tab and not vim.api.nvim_tabpage_is_valid(tab) then
        M.close()
      end
      return not vim.api.nvim_tabpage_is_valid(tab) -- true removes this autocommand
    end,
  })
end

function M.wipe(review)
  for _, file in ipairs(review.files) do
    for _, buf in pairs(file.bufs or {}) do
      if vim.api.nvim_buf_is_valid(buf) then
        pcall(vim.api.nvim_buf_delete, buf, { force = true })
      end
    end
  end
end

--- Close the review tab (optionally only when it shows the given task). The task keeps waiting.
function M.close(task_id)
  local review = ui.take_current(M, task_id)
  if not review then
    return
  end
  saved = { taskId = review.taskId, diff = review.diff, decisions = model.decisions(review.files) }
  if vim.api.nvim_tabpage_is_valid(review.tab) then
    if #vim.api.nvim_list_tabpages() > 1 then
      vim.api.nvim_set_current_tabpage(review.tab)
      vim.cmd('tabclose')
    else
      -- The review is the only tab left: end diff mode and keep one window.
      vim.cmd('diffoff!')
      vim.cmd('silent! only')
    end
  end
  M.wipe(review)
end

return M
