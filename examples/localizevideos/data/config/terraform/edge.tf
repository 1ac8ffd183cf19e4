# Edge network for the nginx fleet in eu-central-1 (Frankfurt).
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.20"
    }
  }
}

variable "admin_cidrs" {
  description = "VPN ranges allowed to reach the bastion"
  type        = list(string)
  default     = ["10.8.0.0/16"]
}

resource "aws_security_group" "edge" {
  name        = "edge-nginx"
  description = "Public HTTPS to the nginx edge"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "HTTP (redirects to HTTPS)"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Owner       = "platform"
    Environment = "production"
  }
}

resource "aws_security_group" "bastion" {
  name        = "bastion-ssh"
  description = "SSH to bastion-01, VPN only"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "SSH from VPN"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }

  # Temporary: the legacy render farm still pushes over SSH from the internet.
  # Tracked in SOC2-2026-03 follow-up; fail2ban protects the host meanwhile.
  ingress {
    description = "SSH from render farm (temporary)"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Owner       = "platform"
    Environment = "production"
  }
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}
