"""Departments (部门管理): list, create, edit."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from sqlalchemy import or_, select

from app.admin import bp
from app.admin.forms import DepartmentCreateForm, DepartmentEditForm
from app.extensions import db
from app.org import service
from app.org.models import Department
from app.web.pages import form_page

PER_PAGE = 25


@bp.get("/departments")
def departments_list():
    q = (request.args.get("q") or "").strip()
    stmt = select(Department).order_by(Department.region_code, Department.name)
    if q:
        stmt = stmt.where(or_(Department.name.contains(q), Department.code.contains(q.upper()),
                              Department.region_code.startswith(q)))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return form_page("admin/departments.html", page=page, q=q)


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new():
    form = DepartmentCreateForm()
    if form.validate_on_submit():
        if service.by_code(form.code.data):
            form.code.errors.append(gettext("该统一社会信用代码已登记。"))
        else:
            dept = service.create_department(form.code.data, form.name.data.strip(),
                                             form.region_code.data)
            flash(gettext("已登记部门 %(name)s。", name=dept.name), "success")
            return redirect(url_for("admin.departments_list"))
    return form_page("admin/department_form.html", form=form, dept=None)


@bp.route("/departments/<int:dept_id>", methods=["GET", "POST"])
def department_edit(dept_id: int):
    dept = db.session.get(Department, dept_id) or abort(404)
    form = DepartmentEditForm(obj=dept)
    if form.validate_on_submit():
        service.update_department(dept, form.name.data.strip(), form.region_code.data)
        flash(gettext("已保存部门 %(name)s。", name=dept.name), "success")
        return redirect(url_for("admin.departments_list"))
    return form_page("admin/department_form.html", form=form, dept=dept)
